//! One registration per person: the resident ID number is claimed in a
//! stream named by its keyed hash (HMAC-SHA-256), so that the number itself
//! never appears in a stream name and the name cannot be reversed by
//! trying every number without the key.

use std::path::Path;

use labex_domain::value::ResidentId;
use ring::hmac;

/// The category of the claim streams: `jobseekerid-<hash>`.
pub const CLAIM_CATEGORY: &str = "jobseekerid";

/// The file, in the service's folder, that holds a generated key.
pub const REGISTRY_KEY_FILE: &str = "registry-key";

/// Names the claim stream of a resident ID number.
#[derive(Clone)]
pub struct Registry {
    key: hmac::Key,
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
