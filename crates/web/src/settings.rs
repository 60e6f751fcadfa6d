//! Configuration from `LABEX_*` environment variables, and the token secret
//! kept in the data folder.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The file, under the data folder, that holds a generated token secret.
pub const JWT_SECRET_FILE: &str = "jwt-secret";

/// What a Labex process is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `LABEX_DATA`: the data folder.
    pub data: PathBuf,
    /// `LABEX_HTTP`: where HTTP is served.
    pub http: SocketAddr,
    /// `LABEX_EVENTSTORE`: an external store's URL; `None` runs the embedded one.
    pub eventstore: Option<String>,
    /// `LABEX_EVENTSTORE_LISTEN`: where the embedded store listens.
    pub eventstore_listen: SocketAddr,
    /// `LABEX_JWT_SECRET`: the token secret; `None` keeps one in the data folder.
    pub jwt_secret: Option<String>,
    /// `LABEX_LOG`: the log filter.
    pub log: String,
}

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// An address that is not `host:port` with an IP host.
    #[error("{variable} is not an ip address and port: {value}")]
    Address {
        /// The variable.
        variable: &'static str,
        /// What it held.
        value: String,
    },
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data: PathBuf::from("./data"),
            http: SocketAddr::from(([127, 0, 0, 1], 8080)),
            eventstore: None,
            eventstore_listen: SocketAddr::from(([127, 0, 0, 1], 2113)),
            jwt_secret: None,
            log: "info".to_owned(),
        }
    }
}

impl Settings {
    /// From the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any lookup of variables (tests pass a map); empty values count
    /// as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let address = |variable: &'static str, default: SocketAddr| match get(variable) {
            None => Ok(default),
            Some(value) => value
                .trim()
                .parse()
                .map_err(|_| SettingsError::Address { variable, value }),
        };
        let defaults = Self::default();
        Ok(Self {
            data: get("LABEX_DATA")
                .map(PathBuf::from)
                .unwrap_or(defaults.data),
            http: address("LABEX_HTTP", defaults.http)?,
            eventstore: get("LABEX_EVENTSTORE"),
            eventstore_listen: address("LABEX_EVENTSTORE_LISTEN", defaults.eventstore_listen)?,
            jwt_secret: get("LABEX_JWT_SECRET"),
            log: get("LABEX_LOG").unwrap_or(defaults.log),
        })
    }
}

/// The token secret and whether it was generated just now (the binary then
/// prints an admin token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtSecret {
    /// The secret's bytes.
    pub secret: Vec<u8>,
    /// Whether this call generated it.
    pub generated: bool,
}

/// The fewest bytes a configured secret may have.
pub const MIN_SECRET_BYTES: usize = 32;

/// The placeholders of `deploy/labex.env.example`: a deployment that kept
/// one would accept tokens anyone can mint.
const EXAMPLE_SECRETS: &[&str] = &[
    "change-me-to-32-random-bytes-in-base64",
    "change-me-to-another-32-random-bytes-in-base64",
];

/// Refuses a configured secret that is too short to resist guessing or is
/// the example's placeholder.
fn check_configured_secret(secret: &str) -> io::Result<()> {
    let refuse = |why: &str| {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{why}; generate one with: head -c 32 /dev/urandom | base64"),
        ))
    };
    if EXAMPLE_SECRETS.contains(&secret.trim()) {
        return refuse("the secret is the example's placeholder, which anyone can read");
    }
    if secret.len() < MIN_SECRET_BYTES {
        return refuse(&format!(
            "the secret has {} bytes, fewer than {MIN_SECRET_BYTES}",
            secret.len()
        ));
    }
    Ok(())
}

/// The configured secret if there is one; else the one kept in
/// `<data>/jwt-secret`; else a new one of 32 random bytes (base64url), written
/// there with permissions 0600.
pub fn load_or_generate_jwt_secret(configured: Option<&str>, data: &Path) -> io::Result<JwtSecret> {
    load_or_generate_secret(configured, &data.join(JWT_SECRET_FILE))
}

/// The configured secret if there is one; else the one kept in the file
/// at `path`; else a new one of 32 random bytes (base64url), written there
/// with permissions 0600 (its folder created if missing).
pub fn load_or_generate_secret(configured: Option<&str>, path: &Path) -> io::Result<JwtSecret> {
    if let Some(secret) = configured {
        check_configured_secret(secret)?;
        return Ok(JwtSecret {
            secret: secret.as_bytes().to_vec(),
            generated: false,
        });
    }
    match std::fs::File::open(path) {
        Ok(mut file) => {
            let mut text = String::new();
            file.read_to_string(&mut text)?;
            let secret = text.trim();
            if secret.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} is empty", path.display()),
                ));
            }
            return Ok(JwtSecret {
                secret: secret.as_bytes().to_vec(),
                generated: false,
            });
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(io::Error::other)?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    write_private_file(path, secret.as_bytes())?;
    Ok(JwtSecret {
        secret: secret.into_bytes(),
        generated: true,
    })
}

/// Writes a new file at `path` that only its owner may read (0600), its
/// folder made if missing (0700), durably; an existing file is an error.
pub fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    if let Some(folder) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(folder)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn short_and_example_secrets_are_refused() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("secret");
        for bad in [
            "short",
            "change-me-to-32-random-bytes-in-base64",
            "0123456789abcdef0123456789abcde",
        ] {
            let error = load_or_generate_secret(Some(bad), &path).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad}");
        }
        let good = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            load_or_generate_secret(Some(good), &path).unwrap().secret,
            good.as_bytes()
        );
    }

    #[test]
    fn unset_variables_take_the_defaults() {
        let settings = Settings::from_lookup(|_| None).unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(settings.http.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn variables_override_and_bad_addresses_are_refused() {
        let variables = HashMap::from([
            ("LABEX_DATA", "/srv/labex"),
            ("LABEX_HTTP", "0.0.0.0:9000"),
            ("LABEX_EVENTSTORE", "esdb://a:2113?tls=true"),
            ("LABEX_LOG", "debug"),
        ]);
        let settings =
            Settings::from_lookup(|name| variables.get(name).map(|value| value.to_string()))
                .unwrap();
        assert_eq!(settings.data, PathBuf::from("/srv/labex"));
        assert_eq!(settings.http.port(), 9000);
        assert_eq!(
            settings.eventstore.as_deref(),
            Some("esdb://a:2113?tls=true")
        );
        assert_eq!(settings.log, "debug");
        let bad =
            Settings::from_lookup(|name| (name == "LABEX_HTTP").then(|| "nowhere".to_owned()));
        assert!(matches!(
            bad,
            Err(SettingsError::Address {
                variable: "LABEX_HTTP",
                ..
            })
        ));
    }

    #[test]
    fn the_secret_is_generated_once_with_owner_only_permissions() {
        let data = tempfile::tempdir().unwrap();
        let first = load_or_generate_jwt_secret(None, data.path()).unwrap();
        assert!(first.generated);
        assert_eq!(first.secret.len(), 43);
        let second = load_or_generate_jwt_secret(None, data.path()).unwrap();
        assert!(!second.generated);
        assert_eq!(second.secret, first.secret);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(data.path().join(JWT_SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let given = "given-given-given-given-given-given";
        let configured = load_or_generate_jwt_secret(Some(given), data.path()).unwrap();
        assert_eq!(configured.secret, given.as_bytes());
    }
}
