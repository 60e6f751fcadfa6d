//! A third-party client against the real `labex-store` process: the
//! official Python client (`kurrentdbclient`) runs `tests/python/store_client.py`,
//! which appends, reads, subscribes and provokes a wrong expected version.

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{StoreProcess, data_folder, test_binary};

/// Longest the script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/store_client.py")
}

/// Fails with what to do when python3 or the client package is missing.
fn require_python_client() {
    let probe = Command::new("python3")
        .args([
            "-c",
            "import kurrentdbclient; print(kurrentdbclient.__version__)",
        ])
        .output();
    match probe {
        Ok(output) if output.status.success() => {
            println!(
                "kurrentdbclient {}",
                String::from_utf8_lossy(&output.stdout).trim()
            );
        }
        Ok(output) => panic!(
            "the official Python client is not installed: run .ci/run (which installs it) or `python3 -m pip install kurrentdbclient`\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => panic!(
            "cannot run python3 ({error}): install Python 3, then run .ci/run or `python3 -m pip install kurrentdbclient`"
        ),
    }
}

#[test]
fn the_official_python_client_appends_reads_subscribes_and_sees_wrong_expected_versions() {
    require_python_client();
    let data = data_folder();
    let store = StoreProcess::start(&test_binary(), data.path(), &[]);
    let uri = format!("kurrentdb://{}?Tls=false", store.address());

    let mut child = Command::new("python3")
        .arg(script())
        .arg(&uri)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the script can be waited for") {
            break Some(status);
        }
        if started.elapsed() > SCRIPT_TIMEOUT {
            drop(child.kill());
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child
        .wait_with_output()
        .expect("the script's output can be read");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    let succeeded = status.is_some_and(|status| status.success());
    assert!(
        succeeded,
        "store_client.py {uri} {}\n--- its stdout ---\n{stdout}\n--- its stderr ---\n{stderr}\n--- the store's output ---\n{}",
        match status {
            Some(status) => format!("failed with {status}"),
            None => format!("did not finish within {SCRIPT_TIMEOUT:?}"),
        },
        store.output()
    );
    assert!(
        stdout.contains("ok: kurrentdbclient works against labex-store"),
        "the script exited 0 without reporting success:\n{stdout}"
    );
}
