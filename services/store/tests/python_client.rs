//! A third-party client against the real `labex-store` process: the
//! official Python client (`kurrentdbclient`) runs the scripts of
//! `tests/python/`: `store_client.py` appends, reads, subscribes and
//! provokes a wrong expected version; `client_class_mirror.py` checks what
//! the client's own test class (`tests.test_client.TestKurrentDBClient`,
//! run against KurrentDB by its maintainers) says a server answers.
//!
//! The test provisions the client itself, so that `cargo test` passes on a
//! fresh machine: a virtualenv under the target folder (`python-venv`)
//! with `kurrentdbclient>=1.1`, made once by `labex_testkit::python_venv`.

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use labex_testkit::python_venv;
use support::{StoreProcess, data_folder, test_binary};

/// Longest a script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);
/// What the virtualenv installs.
const REQUIREMENT: &str = "kurrentdbclient>=1.1";

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/python")
        .join(name)
}

/// The Python of a virtualenv with the official client, made once.
fn python_with_client() -> PathBuf {
    let python = python_venv("python-venv", REQUIREMENT);
    let version = Command::new(&python)
        .args([
            "-c",
            "import kurrentdbclient; print(kurrentdbclient.__version__)",
        ])
        .output()
        .expect("the virtualenv's python runs");
    println!(
        "kurrentdbclient {} in {}",
        String::from_utf8_lossy(&version.stdout).trim(),
        python.display()
    );
    python
}

/// Runs a script of `tests/python/` against a fresh `labex-store`; returns
/// its standard output.
fn run_script(name: &str) -> String {
    let data = data_folder();
    let store = StoreProcess::start(&test_binary(), data.path(), &[]);
    let uri = format!("kurrentdb://{}?Tls=false", store.address());
    run_against(&store, name, &[uri])
}

/// Runs a script of `tests/python/` with `arguments` against `store`;
/// returns its standard output.
fn run_against(store: &StoreProcess, name: &str, arguments: &[String]) -> String {
    let python = python_with_client();
    let mut child = Command::new(&python)
        .arg(script(name))
        .args(arguments)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the virtualenv's python starts");
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
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    let succeeded = status.is_some_and(|status| status.success());
    assert!(
        succeeded,
        "{name} {arguments:?} {}\n--- its stdout ---\n{stdout}\n--- its stderr ---\n{stderr}\n--- the store's output ---\n{}",
        match status {
            Some(status) => format!("failed with {status}"),
            None => format!("did not finish within {SCRIPT_TIMEOUT:?}"),
        },
        store.output()
    );
    stdout
}

#[test]
fn the_official_python_client_appends_reads_subscribes_and_sees_wrong_expected_versions() {
    let stdout = run_script("store_client.py");
    assert!(
        stdout.contains("ok: kurrentdbclient works against labex-store"),
        "the script exited 0 without reporting success:\n{stdout}"
    );
}

#[test]
fn the_official_python_client_gets_the_answers_its_own_test_class_expects_of_kurrentdb() {
    let stdout = run_script("client_class_mirror.py");
    assert!(
        stdout.contains("ok: labex-store answers as the client's test class expects"),
        "the script exited 0 without reporting success:\n{stdout}"
    );
}

#[test]
fn the_official_python_client_works_with_tls_and_users() {
    let data = data_folder();
    let password = "correct-horse-battery";
    let mut add = Command::new(test_binary())
        .args(["user", "add", "labex", "--data"])
        .arg(data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("labex-store runs");
    std::io::Write::write_all(
        &mut add.stdin.take().expect("stdin is piped"),
        format!("{password}\n").as_bytes(),
    )
    .expect("the password is written");
    assert!(add.wait().expect("labex-store ends").success());
    let tls = |name: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/tls")
            .join(name)
            .to_str()
            .expect("a UTF-8 path")
            .to_owned()
    };
    let (cert, key) = (tls("server.pem"), tls("server.key"));
    let store = StoreProcess::start(
        &test_binary(),
        data.path(),
        &["--tls-cert", &cert, "--tls-key", &key],
    );
    let stdout = run_against(
        &store,
        "secured_client.py",
        &[
            format!("localhost:{}", store.address().port()),
            tls("ca.pem"),
            "labex".to_owned(),
            password.to_owned(),
        ],
    );
    assert!(
        stdout.contains("ok: kurrentdbclient works against labex-store with TLS and users"),
        "the script exited 0 without reporting success:\n{stdout}"
    );
}
