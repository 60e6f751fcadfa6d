//! The API document against the server: Schemathesis (pinned, provisioned
//! under the target folder by `labex_testkit::python_venv`) generates
//! requests from `/openapi.json` of a running `labex`, valid and invalid,
//! sends them with a province administrator's token (who may reach every
//! operation, everywhere), and runs every check: no 500, every answer's
//! status, media type, headers and body as documented, valid requests
//! accepted and invalid ones refused, 405 with `Allow`. The few checks that
//! cannot honestly pass for an operation are switched off for that
//! operation alone in `schemathesis.toml`, each with its reason.
//!
//! The run is bounded (examples per operation) and seeded, so that it is
//! the same run every time; see docs/decisions/101-schemathesis-in-ci.md.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use labex_testkit::{Tokens, python_venv};

use crate::support::{Labex, place};

/// The Schemathesis the run is pinned to: its checks and its generation
/// change between versions, and the seed only repeats a run within one.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";
/// Test cases per operation and phase.
const EXAMPLES_PER_OPERATION: &str = "25";
/// The seed of the generated cases.
const SEED: &str = "20261207";

fn configuration() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("e2e/schemathesis.toml")
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_the_server_as_its_openapi_document_says() {
    let python = python_venv("schemathesis-venv", SCHEMATHESIS);
    let st = python.with_file_name("st");
    let labex = Labex::start().await;
    // A few real records, so that links between operations have
    // something to follow.
    for n in 1..=2 {
        place(&labex.http, &labex.http, &labex.http, n).await;
    }
    let token = Tokens::province();
    let reports = tempfile::tempdir().expect("a folder for the report");
    let started = Instant::now();
    let output = Command::new(&st)
        .arg("--config-file")
        .arg(configuration())
        .args(["run", &format!("{}/openapi.json", labex.process_url())])
        .args(["--max-examples", EXAMPLES_PER_OPERATION])
        .args(["--seed", SEED])
        // Examples found by earlier runs would make this one differ.
        .args(["--generation-database", "none"])
        .args(["--workers", "1"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .arg("--report-dir")
        .arg(reports.path())
        .arg("--no-color")
        .env("NO_COLOR", "1")
        // Schemathesis keeps a cache in its working folder: not the sources.
        .current_dir(reports.path())
        .stdin(Stdio::null())
        .output()
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!(
        "schemathesis ran {:?}; its report:\n{stdout}",
        started.elapsed()
    );
    assert!(
        output.status.success(),
        "schemathesis found the server unlike its document ({}):\n{stdout}\n{stderr}",
        output.status
    );
}
