//! SIGTERM saves every projection's checkpoint, and the next start resumes
//! each projection from it instead of reading `$all` from the start.
//!
//! Seen from outside the process: the search index's checkpoint is the
//! payload of its last commit (`<data>/matching/index/meta.json`), read
//! while `labex` is down; and every projection says where it subscribes
//! from (`labex_eventsourcing::runner` at debug: `subscribing to $all
//! projection=NAME checkpoint=Some(Position { commit: C, prepare: P })`).

use std::collections::BTreeMap;

use kurrentdb::Position;
use labex_testkit::Tokens;
use serde_json::Value;

use crate::support::{Labex, Placement, id_of, jobseeker, place};

/// Info for the service's own lines, debug for the projection runners.
const LOG: &str = "info,labex_eventsourcing::runner=debug";

/// Every `subscribing to $all` line of `output`: the projection's name and
/// the checkpoint it subscribed from, in the order printed.
fn subscriptions(output: &str) -> Vec<(String, Option<Position>)> {
    output
        .lines()
        .filter(|line| line.contains("subscribing to $all"))
        .map(|line| {
            let name = field(line, "projection=")
                .unwrap_or_else(|| panic!("a projection name in {line:?}"))
                .trim_matches('"')
                .to_owned();
            let checkpoint = if line.contains("checkpoint=None") {
                None
            } else {
                let commit = field(line, "commit: ")
                    .and_then(|value| value.trim_end_matches(',').parse().ok())
                    .unwrap_or_else(|| panic!("a commit position in {line:?}"));
                let prepare = field(line, "prepare: ")
                    .and_then(|value| value.trim_end_matches(',').parse().ok())
                    .unwrap_or_else(|| panic!("a prepare position in {line:?}"));
                Some(Position { commit, prepare })
            };
            (name, checkpoint)
        })
        .collect()
}

/// The word after `prefix` in `line`.
fn field<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let (_, rest) = line.split_once(prefix)?;
    rest.split_whitespace().next()
}

/// The checkpoint stored with the search index's last commit.
fn search_index_checkpoint(labex: &Labex) -> Option<Position> {
    let meta = labex.data.path().join("matching/index/meta.json");
    let text = std::fs::read_to_string(&meta)
        .unwrap_or_else(|error| panic!("{}: {error}", meta.display()));
    let meta: Value = serde_json::from_str(&text).expect("meta.json is JSON");
    let payload: Value = serde_json::from_str(
        meta["payload"]
            .as_str()
            .unwrap_or_else(|| panic!("a commit payload in {text}")),
    )
    .expect("the payload is JSON");
    Some(Position {
        commit: payload["commit"].as_u64()?,
        prepare: payload["prepare"].as_u64()?,
    })
}

fn status_of_item(body: &Value, id: &str) -> Option<String> {
    body["items"]
        .as_array()?
        .iter()
        .find(|item| item["id"] == id)
        .and_then(|item| item["status"].as_str())
        .map(str::to_owned)
}

#[tokio::test]
async fn sigterm_saves_every_projection_checkpoint_and_a_restart_resumes_from_it() {
    let mut labex = Labex::start_logging(LOG).await;
    let counsellor = Tokens::counsellor("410105");
    let http = labex.http.clone();

    // A placement: every projection has something to apply.
    let Placement {
        employer: employer_id,
        vacancy: vacancy_id,
        jobseeker: jobseeker_id,
        referral: referral_id,
        ..
    } = place(&http, &http, &http, 31).await;

    // Wait until each read model shows the last change it will see: the
    // placement's effects in the lists, the filled vacancy in the index.
    labex
        .eventually("/v1/jobseekers?office=410105", &counsellor, |body| {
            status_of_item(body, &jobseeker_id).as_deref() == Some("employed")
        })
        .await;
    labex
        .eventually(
            &format!("/v1/vacancies?employer={employer_id}"),
            &counsellor,
            |body| status_of_item(body, &vacancy_id).as_deref() == Some("filled"),
        )
        .await;
    labex
        .eventually(
            &format!("/v1/referrals?vacancy={vacancy_id}"),
            &counsellor,
            |body| {
                body["items"].as_array().is_some_and(|items| {
                    items.iter().any(|item| {
                        item["id"] == referral_id.as_str() && item["outcome"]["outcome"] == "hired"
                    })
                })
            },
        )
        .await;
    labex
        .eventually(
            "/v1/vacancies/search?q=电气工程师&status=all",
            &counsellor,
            |body| {
                body["hits"].as_array().is_some_and(|hits| {
                    hits.iter()
                        .any(|hit| hit["id"] == vacancy_id.as_str() && hit["status"] == "filled")
                })
            },
        )
        .await;

    // Where each projection must have got to: the last event it applied.
    let jobseeker_last = labex.last_position(&format!("jobseeker-{jobseeker_id}"));
    let vacancy_last = labex.last_position(&format!("vacancy-{vacancy_id}"));
    let outcome = labex.last_position(&format!("referral-{referral_id}"));
    let expected: BTreeMap<&str, Position> = [
        ("jobseeker-list", jobseeker_last),
        ("vacancy-list", vacancy_last),
        ("referral-list", outcome),
        ("placement-process", outcome),
        ("search", vacancy_last),
    ]
    .into();

    let first = labex.stop_with_output();
    let first_subscriptions = subscriptions(&first);
    for name in expected.keys() {
        assert!(
            first_subscriptions
                .iter()
                .any(|(subscribed, checkpoint)| subscribed == name && checkpoint.is_none()),
            "{name} first read $all from the start: {first_subscriptions:?}\n{first}"
        );
        assert!(
            first
                .lines()
                .any(|line| line.contains("stopped, checkpoint saved")
                    && line.contains(&format!("runner={name}"))),
            "{name} saved its checkpoint on SIGTERM:\n{first}"
        );
    }

    // Down: the search index committed its checkpoint on the way out.
    let saved_search = search_index_checkpoint(&labex)
        .expect("the search index committed a checkpoint on SIGTERM");
    assert!(
        saved_search >= vacancy_last,
        "the search checkpoint {saved_search:?} covers the vacancy's last event {vacancy_last:?}"
    );

    labex.respawn();
    // Everything written before the stop still answers, and the read
    // models keep up with what is written after it.
    labex
        .http
        .get(&format!("/v1/referrals/{referral_id}"), Some(&counsellor))
        .await
        .expect(200);
    let later = id_of(
        &labex
            .http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(32))
            .await
            .expect(201),
    );
    labex
        .eventually("/v1/jobseekers?office=410105", &counsellor, |body| {
            status_of_item(body, &later).is_some()
                && status_of_item(body, &jobseeker_id).as_deref() == Some("employed")
        })
        .await;
    let second = labex.stop_with_output();
    let second_subscriptions = subscriptions(&second);
    for (name, reached) in &expected {
        let resumed = second_subscriptions
            .iter()
            .find(|(subscribed, _)| subscribed == name)
            .map(|(_, checkpoint)| *checkpoint)
            .unwrap_or_else(|| panic!("{name} subscribed again:\n{second}"));
        let resumed = resumed.unwrap_or_else(|| {
            panic!("{name} read $all from the start again after SIGTERM:\n{second}")
        });
        assert!(
            resumed >= *reached,
            "{name} resumed from {resumed:?}, before the last event it had applied ({reached:?})"
        );
        if *name == "search" {
            assert_eq!(
                resumed, saved_search,
                "search resumed from the checkpoint in its index"
            );
        }
    }
}
