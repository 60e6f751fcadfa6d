//! One registration per person: the resident ID number is claimed in a
//! stream named by its keyed hash (HMAC-SHA-256), so that the number itself
//! never appears in a stream name and the name cannot be reversed by
//! trying every number without the key.

use std::path::Path;

use labex_domain::value::ResidentId;
use labex_eventsourcing::kurrentdb::{
    self, AppendToStreamOptions, Client, EventData, ReadStreamOptions, StreamState,
};
use labex_eventsourcing::reads;
use ring::hmac;
use serde::{Deserialize, Serialize};

/// The category of the claim streams: `jobseekerid-<hash>`.
pub const CLAIM_CATEGORY: &str = "jobseekerid";

/// The file, in the service's folder, that holds a generated key.
pub const REGISTRY_KEY_FILE: &str = "registry-key";

/// The stream that keeps the fingerprint of the registry key the store's
/// claims are named with (one event, written at first use).
pub const FINGERPRINT_STREAM: &str = "jobseekerregistry-key";

/// How long a start waits for the store to check the key against it.
pub const STORE_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The type of its one event.
pub const FINGERPRINT_EVENT: &str = "RegistryKeyFingerprinted";

/// Names the claim stream of a resident ID number.
#[derive(Clone)]
pub struct Registry {
    key: hmac::Key,
}

/// The registry key of this process is not the one the store's ID-number
/// claims were named with: serving would let a registered person register
/// again under a second id (their number's claim would be looked for
/// under another name), so the process does not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the job-seeker registry key of this process (fingerprint {this}) is not the one this store's ID-number claims were made with (fingerprint {kept}); \
     restore that key (LABEX_REGISTRY_KEY, or the file jobseekers/registry-key of the data folder) instead of making a new one, \
     for with another key every registered person could be registered a second time"
)]
pub struct RegistryKeyMismatch {
    /// The fingerprint the store keeps.
    pub kept: String,
    /// This process's key's.
    pub this: String,
}

/// Why the registry key could not be checked against the store.
#[derive(Debug, thiserror::Error)]
pub enum RegistryKeyError {
    /// Another key than the store's.
    #[error(transparent)]
    Mismatch(#[from] RegistryKeyMismatch),
    /// The store could not be read or written.
    #[error("the registry key's fingerprint could not be read or kept in the store: {0}")]
    Store(#[from] kurrentdb::Error),
    /// The stream holds something else than a fingerprint.
    #[error("{FINGERPRINT_STREAM} holds no readable fingerprint: {0}")]
    Unreadable(String),
}

/// The one event of [`FINGERPRINT_STREAM`].
#[derive(Debug, Serialize, Deserialize)]
struct Fingerprinted {
    fingerprint: String,
}

impl Registry {
    /// `LABEX_REGISTRY_KEY` when set (every process serving job seekers
    /// against one store must share it), else the key kept in
    /// `<folder>/registry-key`, generated at first start.
    pub fn load(folder: &Path) -> std::io::Result<Self> {
        let configured = std::env::var("LABEX_REGISTRY_KEY")
            .ok()
            .filter(|value| !value.trim().is_empty());
        let secret = labex_web::load_or_generate_secret(
            configured.as_deref(),
            &folder.join(REGISTRY_KEY_FILE),
        )?;
        Ok(Self::new(&secret.secret))
    }

    /// A registry keyed with `key`.
    pub fn new(key: &[u8]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
        }
    }

    /// A fingerprint of the key: a keyed hash of a fixed text, which
    /// tells two keys apart and gives nothing of the key away.
    pub fn fingerprint(&self) -> String {
        let tag = hmac::sign(&self.key, b"labex registry key fingerprint 1");
        tag.as_ref()[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// Checks the key against the fingerprint the store keeps, keeping
    /// this key's at first use (the first process to start on a store).
    /// A store not reachable yet is tried again for up to
    /// [`STORE_WAIT`]; another key, or a store that refuses this process's
    /// credentials, is refused at once.
    pub async fn check_against_store(&self, client: &Client) -> Result<(), RegistryKeyError> {
        let deadline = tokio::time::Instant::now() + STORE_WAIT;
        let mut wait = std::time::Duration::from_millis(100);
        loop {
            match self.check_once(client).await {
                Err(RegistryKeyError::Store(error))
                    if tokio::time::Instant::now() < deadline
                        && !matches!(error, kurrentdb::Error::AccessDenied) =>
                {
                    tracing::warn!(%error, "the store is not reachable yet to check the registry key; trying again");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(std::time::Duration::from_secs(2));
                }
                outcome => return outcome,
            }
        }
    }

    async fn check_once(&self, client: &Client) -> Result<(), RegistryKeyError> {
        let this = self.fingerprint();
        loop {
            if let Some(kept) = kept_fingerprint(client).await? {
                if kept != this {
                    return Err(RegistryKeyMismatch { kept, this }.into());
                }
                return Ok(());
            }
            let event = EventData::json(
                FINGERPRINT_EVENT,
                &Fingerprinted {
                    fingerprint: this.clone(),
                },
            )
            .map_err(|error| RegistryKeyError::Unreadable(error.to_string()))?;
            let options = AppendToStreamOptions::default().stream_state(StreamState::NoStream);
            match client
                .append_to_stream(FINGERPRINT_STREAM, &options, event)
                .await
            {
                Ok(_) => return Ok(()),
                // Another process kept its key's first: compare with it.
                Err(kurrentdb::Error::WrongExpectedVersion { .. }) => continue,
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// The claim stream of `id_number`.
    pub fn claim_stream(&self, id_number: &ResidentId) -> String {
        let tag = hmac::sign(&self.key, id_number.as_str().as_bytes());
        let mut name = String::with_capacity(CLAIM_CATEGORY.len() + 1 + 32);
        name.push_str(CLAIM_CATEGORY);
        name.push('-');
        for byte in &tag.as_ref()[..16] {
            name.push_str(&format!("{byte:02x}"));
        }
        name
    }
}

/// The fingerprint the store keeps, if any.
async fn kept_fingerprint(client: &Client) -> Result<Option<String>, RegistryKeyError> {
    let options = ReadStreamOptions::default().max_count(1);
    let stream = match client.read_stream(FINGERPRINT_STREAM, &options).await {
        Ok(stream) => stream,
        Err(kurrentdb::Error::ResourceNotFound) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    match reads::first_event(stream).await {
        Ok(Some(event)) => {
            let kept: Fingerprinted = event
                .get_original_event()
                .as_json()
                .map_err(|error| RegistryKeyError::Unreadable(error.to_string()))?;
            Ok(Some(kept.fingerprint))
        }
        Ok(None) | Err(kurrentdb::Error::ResourceNotFound) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_depends_on_the_number_and_the_key_and_hides_the_number() {
        let number = ResidentId::parse("11010519491231002X").unwrap();
        let other = ResidentId::parse("110105198001010016").unwrap();
        let registry = Registry::new(b"key one");
        let stream = registry.claim_stream(&number);
        assert_eq!(stream, registry.claim_stream(&number));
        assert!(stream.starts_with("jobseekerid-"));
        assert_eq!(stream.len(), "jobseekerid-".len() + 32);
        assert!(!stream.contains("11010519491231002X"));
        assert_ne!(stream, Registry::new(b"key two").claim_stream(&number));
        assert_ne!(stream, registry.claim_stream(&other));
    }
}
