//! Runs the real `labex-store` binary for tests and the benchmark: starts
//! it on a data folder with `--listen 127.0.0.1:0`, learns the address from
//! the line it prints once serving, keeps its output for failure messages,
//! and kills it with SIGKILL when asked (or when dropped).

// Each test binary and the benchmark use a different part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the binary prints once it serves; the address follows.
const LISTENING: &str = "labex-store listening on ";
/// How long the store may take to start serving.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A `labex-store` process serving on loopback.
pub struct StoreProcess {
    child: Child,
    address: SocketAddr,
    output: Arc<Mutex<Vec<String>>>,
    /// From spawning the process to the moment it printed its address.
    startup: Duration,
}

impl StoreProcess {
    /// Starts `binary` on `data` (the store's files go to `data/eventstore`)
    /// with any `extra` arguments, and waits until it serves.
    pub fn start(binary: &Path, data: &Path, extra: &[&str]) -> StoreProcess {
        let spawned = Instant::now();
        let mut child = Command::new(binary)
            .arg("--data")
            .arg(data)
            .args(["--listen", "127.0.0.1:0", "--log", "warn"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let output = Arc::new(Mutex::new(Vec::new()));
        let (address_sender, address_receiver) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        keep_lines(stdout, output.clone(), Some(address_sender));
        let stderr = child.stderr.take().expect("stderr is piped");
        keep_lines(stderr, output.clone(), None);

        let address = match address_receiver.recv_timeout(START_TIMEOUT) {
            Ok(address) => address,
            Err(_) => {
                let status = child.try_wait().ok().flatten();
                drop(child.kill());
                drop(child.wait());
                panic!(
                    "labex-store did not start serving within {START_TIMEOUT:?} (exit status {status:?}); its output:\n{}",
                    output
                        .lock()
                        .map(|lines| lines.join("\n"))
                        .unwrap_or_default()
                );
            }
        };
        StoreProcess {
            child,
            address,
            output,
            startup: spawned.elapsed(),
        }
    }

    /// The address it serves on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A connection string for the official Rust client. It shortens the
    /// client's discovery interval: the client waits that long (500 ms by
    /// default) before it first connects, even to a single node.
    pub fn connection_string(&self) -> String {
        format!("esdb://{}?tls=false&discoveryInterval=10", self.address)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Time from spawning the process to its "listening" line.
    pub fn startup(&self) -> Duration {
        self.startup
    }

    /// Everything it printed so far, for failure messages.
    pub fn output(&self) -> String {
        self.output
            .lock()
            .map(|lines| lines.join("\n"))
            .unwrap_or_default()
    }

    /// Kills it with SIGKILL (what `Child::kill` sends on Unix): no shutdown,
    /// no flushing, as a crash would; then reaps it.
    pub fn kill(mut self) {
        self.kill_now();
    }

    /// Stops it as an operator would, with SIGTERM (sent by `kill(1)`), and
    /// waits for it to exit; returns how long that took.
    pub fn stop(mut self) -> Duration {
        let asked = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|status| status.success());
        assert!(sent, "cannot send SIGTERM to labex-store");
        drop(self.child.wait());
        asked.elapsed()
    }

    fn kill_now(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            drop(self.child.kill());
        }
        drop(self.child.wait());
    }
}

impl Drop for StoreProcess {
    fn drop(&mut self) {
        self.kill_now();
    }
}

/// Reads lines from the process in a thread of its own (so that it never
/// blocks on a full pipe), keeps them, and sends the address once it appears.
fn keep_lines(
    stream: impl Read + Send + 'static,
    output: Arc<Mutex<Vec<String>>>,
    address: Option<mpsc::Sender<SocketAddr>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let (Some(sender), Some(rest)) = (&address, line.strip_prefix(LISTENING))
                && let Ok(parsed) = rest.trim().parse::<SocketAddr>()
            {
                let _ = sender.send(parsed);
            }
            if let Ok(mut lines) = output.lock() {
                lines.push(line);
            }
        }
    });
}

/// A fresh temporary folder for a store's data.
pub fn data_folder() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("labex-store-test-")
        .tempdir()
        .expect("cannot create a temporary folder")
}

/// The binary that Cargo built for this package's tests.
pub fn test_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_labex-store"))
}
