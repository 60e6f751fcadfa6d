//! Python tools for tests, provisioned by the tests themselves so that
//! `cargo test` passes on a fresh machine with only Python 3 (and its
//! `venv` module): a virtualenv under the target folder, made once with
//! `python3 -m venv` and `pip install REQUIREMENT`, behind a lock file so
//! that tests running at once (in one process or several) do not race.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// A lock older than this was left by a test that died while provisioning.
const STALE_LOCK: Duration = Duration::from_secs(15 * 60);

/// The target folder the running test was built into (it honours
/// `CARGO_TARGET_DIR`): a test binary is `<target>/<profile>/deps/<name>`.
pub fn target_folder() -> PathBuf {
    let executable = std::env::current_exe().expect("the test knows its own path");
    executable
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .expect("the test binary lies three folders down the target folder")
}

/// The Python of the virtualenv `<target>/<name>` with `requirement`
/// installed (a pip requirement such as `kurrentdbclient>=1.1`), made on
/// first use. The virtualenv is remade when it was made for another
/// requirement.
pub fn python_venv(name: &str, requirement: &str) -> PathBuf {
    let target = target_folder();
    std::fs::create_dir_all(&target).expect("the target folder exists");
    let venv = target.join(name);
    let python = venv.join("bin").join("python");
    let ready = venv.join("labex-ready");
    let is_ready =
        || std::fs::read_to_string(&ready).is_ok_and(|installed| installed.trim() == requirement);
    if !is_ready() {
        let _lock = ProvisioningLock::take(target.join(format!("{name}.lock")));
        if !is_ready() {
            drop(std::fs::remove_dir_all(&venv));
            run(
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
                "create a virtualenv with `python3 -m venv`",
            );
            run(
                Command::new(&python).args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    requirement,
                ]),
                &format!("install {requirement} into {}", venv.display()),
            );
            std::fs::write(&ready, requirement).expect("the virtualenv can be marked ready");
        }
    }
    python
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("cannot {what}: {error}; is Python 3 installed?"));
    assert!(
        output.status.success(),
        "cannot {what} ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Holds a lock file while it lives.
struct ProvisioningLock(PathBuf);

impl ProvisioningLock {
    fn take(path: PathBuf) -> ProvisioningLock {
        let started = Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return ProvisioningLock(path),
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&path)
                        .and_then(|metadata| metadata.modified())
                        .ok()
                        .and_then(|modified| SystemTime::now().duration_since(modified).ok());
                    if age.is_some_and(|age| age > STALE_LOCK) {
                        drop(std::fs::remove_file(&path));
                        continue;
                    }
                    assert!(
                        started.elapsed() < STALE_LOCK,
                        "{} is still held after {STALE_LOCK:?}",
                        path.display()
                    );
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(error) => panic!("cannot create {}: {error}", path.display()),
            }
        }
    }
}

impl Drop for ProvisioningLock {
    fn drop(&mut self) {
        drop(std::fs::remove_file(&self.0));
    }
}
