//! One service binary under test: the real store in the test's process,
//! the binary as a child process on a free port with its own data folder,
//! and an HTTP client of it.

use std::path::{Path, PathBuf};

use crate::{Http, Process, SECRET, Store, event_count, temporary_folder};

/// The job-seeker registry key every service process under test is given
/// (`LABEX_REGISTRY_KEY`).
pub const REGISTRY_KEY: &str = "labex-test-registry-key-0123456789abcdef";

/// A service binary running against a store of its own.
pub struct ServiceUnderTest {
    /// The store.
    pub store: Store,
    /// The service's data folder.
    pub data: tempfile::TempDir,
    /// A client of the service.
    pub http: Http,
    /// The key table every process of this store shares (`LABEX_KEYS`).
    keys: tempfile::TempDir,
    binary: PathBuf,
    process: Option<Process>,
}

impl ServiceUnderTest {
    /// Starts a store and `binary` against it.
    pub async fn start(binary: &Path) -> Self {
        let store = Store::start().await;
        let data = temporary_folder("labex-service-test-");
        let keys = temporary_folder("labex-service-keys-");
        let process = spawn(binary, &store, data.path(), keys.path());
        Self {
            http: Http::new(process.base_url()),
            store,
            data,
            keys,
            binary: binary.to_owned(),
            process: Some(process),
        }
    }

    /// Starts one more process of the same binary against the same store,
    /// with a data folder of its own: the process, a client of it, and the
    /// folder (removed when dropped).
    pub fn another(&self) -> (Process, Http, tempfile::TempDir) {
        let data = temporary_folder("labex-service-test-");
        let process = spawn(&self.binary, &self.store, data.path(), self.keys.path());
        let http = Http::new(process.base_url());
        (process, http, data)
    }

    /// The running process.
    pub fn process(&self) -> &Process {
        self.process.as_ref().expect("the service runs")
    }

    /// Stops it with SIGTERM (asserting a clean exit) and starts it again
    /// on the same data folder.
    pub fn restart(&mut self) {
        self.stop();
        let process = spawn(
            &self.binary,
            &self.store,
            self.data.path(),
            self.keys.path(),
        );
        self.http = Http::new(process.base_url());
        self.process = Some(process);
    }

    /// Stops it cleanly and starts it again on a new, empty data folder:
    /// its read models are rebuilt from the store.
    pub fn restart_afresh(&mut self) {
        self.stop();
        self.data = temporary_folder("labex-service-test-");
        let process = spawn(
            &self.binary,
            &self.store,
            self.data.path(),
            self.keys.path(),
        );
        self.http = Http::new(process.base_url());
        self.process = Some(process);
    }

    fn stop(&mut self) {
        let status = self.process.take().expect("the service runs").stop();
        assert!(status.success(), "a clean stop on SIGTERM: {status:?}");
    }

    /// Events in the store (the store's own excepted), optionally only of
    /// streams starting with `prefix`.
    pub async fn events(&self, prefix: Option<&str>) -> usize {
        event_count(self.store.client(), prefix).await
    }
}

fn spawn(binary: &Path, store: &Store, data: &Path, keys: &Path) -> Process {
    Process::start(
        binary,
        &[],
        &[
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE", &store.url()),
            ("LABEX_DATA", data.to_str().expect("a UTF-8 path")),
            ("LABEX_JWT_SECRET", SECRET),
            // Every process of one store shares its registry key, as a
            // deployment's do (a new data folder makes no new one).
            ("LABEX_REGISTRY_KEY", REGISTRY_KEY),
            // And its key table (decision 050).
            ("LABEX_KEYS", keys.to_str().expect("a UTF-8 path")),
            ("LABEX_LOG", "warn"),
        ],
    )
}
