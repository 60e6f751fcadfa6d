//! A real binary run as a child process: started with its environment,
//! its address read from the line it prints once it serves
//! (`… listening on http://ADDR` or `… listening on ADDR`), its output kept
//! for failure messages, stopped with SIGTERM or killed with SIGKILL.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a binary may take to start serving.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A binary Cargo built into the same target folder as the running test
/// (`target/<profile>/<name>`). `cargo test --workspace` builds every
/// binary of a package with integration tests before it runs any test.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps");
    let path = profile.join(name);
    assert!(
        path.exists(),
        "{} is not built; run `cargo build --workspace` (or `cargo test --workspace`) first",
        path.display()
    );
    path
}

/// A child process that serves on loopback.
pub struct Process {
    child: Child,
    address: SocketAddr,
    output: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `binary` with `args` and the environment `env` (on top of
    /// this process's, with `LABEX_*` variables removed), and waits until
    /// it prints its address.
    pub fn start(binary: &Path, args: &[&str], env: &[(&str, &str)]) -> Process {
        let mut command = Command::new(binary);
        command.args(args);
        for (name, _) in std::env::vars() {
            if name.starts_with("LABEX_") {
                command.env_remove(name);
            }
        }
        command.envs(env.iter().copied());
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let output = Arc::new(Mutex::new(Vec::new()));
        let (sender, receiver) = mpsc::channel();
        keep_lines(
            child.stdout.take().expect("piped"),
            output.clone(),
            Some(sender),
        );
        keep_lines(child.stderr.take().expect("piped"), output.clone(), None);
        let address = match receiver.recv_timeout(START_TIMEOUT) {
            Ok(address) => address,
            Err(_) => {
                let status = child.try_wait().ok().flatten();
                drop(child.kill());
                drop(child.wait());
                panic!(
                    "{} did not start serving within {START_TIMEOUT:?} (exit status {status:?}); its output:\n{}",
                    binary.display(),
                    lines(&output)
                );
            }
        };
        Process {
            child,
            address,
            output,
        }
    }

    /// The address it serves on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://ADDR`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The rest of the first line it printed that starts with `prefix`.
    pub fn printed(&self, prefix: &str) -> Option<String> {
        self.output.lock().ok().and_then(|lines| {
            lines
                .iter()
                .find_map(|line| line.strip_prefix(prefix).map(str::to_owned))
        })
    }

    /// Everything it printed so far.
    pub fn output(&self) -> String {
        lines(&self.output)
    }

    /// Stops it with SIGTERM and waits for it to exit.
    pub fn stop(mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|status| status.success());
        assert!(sent, "cannot send SIGTERM");
        self.child.wait().expect("the process is reaped")
    }

    /// Stops it with SIGTERM, waits for it to exit and returns its exit
    /// status with everything it printed, to its last line.
    pub fn stop_with_output(self) -> (ExitStatus, String) {
        let output = Arc::clone(&self.output);
        let status = self.stop();
        // The two readers hold the other references until they have read
        // to the end of the closed pipes.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&output) > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        (status, lines(&output))
    }

    /// Kills it with SIGKILL, as a crash would, and reaps it.
    pub fn kill(mut self) {
        self.kill_now();
    }

    fn kill_now(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            drop(self.child.kill());
        }
        drop(self.child.wait());
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill_now();
    }
}

fn lines(output: &Mutex<Vec<String>>) -> String {
    output
        .lock()
        .map(|lines| lines.join("\n"))
        .unwrap_or_default()
}

fn announced_address(line: &str) -> Option<SocketAddr> {
    let (_, rest) = line.split_once(" listening on ")?;
    let rest = rest.trim();
    let rest = rest.strip_prefix("http://").unwrap_or(rest);
    rest.split_whitespace().next()?.parse().ok()
}

fn keep_lines(
    stream: impl Read + Send + 'static,
    output: Arc<Mutex<Vec<String>>>,
    address: Option<mpsc::Sender<SocketAddr>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let (Some(sender), Some(parsed)) = (&address, announced_address(&line)) {
                let _ = sender.send(parsed);
            }
            if let Ok(mut lines) = output.lock() {
                lines.push(line);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::announced_address;

    #[test]
    fn reads_the_address_from_either_form() {
        let expected = "127.0.0.1:4000".parse().ok();
        assert_eq!(
            announced_address("labex listening on http://127.0.0.1:4000"),
            expected
        );
        assert_eq!(
            announced_address("labex-store listening on 127.0.0.1:4000"),
            expected
        );
        assert_eq!(announced_address("labex: starting"), None);
    }
}
