//! The search projection killed with changes it has not yet committed:
//! after the restart every acknowledged change is searchable once.

use std::collections::BTreeSet;

use labex_testkit::Tokens;
use serde_json::json;

use crate::support::{Labex, employer, id_of, vacancy};

const VACANCIES: usize = 40;

/// The ids of every vacancy of `employer` in search, closed ones too, and
/// the total search gave.
async fn searched(labex: &Labex, employer: &str, status: &str) -> (Vec<String>, u64) {
    let body = labex
        .http
        .get(
            &format!("/v1/vacancies/search?employer={employer}&status={status}&limit=100"),
            None,
        )
        .await
        .expect(200)
        .body;
    let ids = body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["id"].as_str().expect("an id").to_owned())
        .collect();
    (ids, body["total"].as_u64().expect("a total"))
}

#[tokio::test]
async fn a_kill_before_the_search_commits_loses_and_doubles_nothing() {
    let mut labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let owner = id_of(
        &labex
            .http
            .post("/v1/employers", Some(&counsellor), &employer(57))
            .await
            .expect(201),
    );
    for round in 0..3 {
        let mut published = Vec::new();
        for _ in 0..VACANCIES / 4 {
            let answer = labex
                .http
                .post("/v1/vacancies", Some(&counsellor), &vacancy(&owner, 2))
                .await
                .expect(201);
            published.push(id_of(&answer));
        }
        labex
            .http
            .post(
                &format!("/v1/vacancies/{}/close", published[0]),
                Some(&counsellor),
                &json!({"reason": "withdrawn"}),
            )
            .await
            .expect(200);
        // Killed at once: the search index groups its commits for tens
        // of milliseconds, so the last changes are still uncommitted.
        labex.crash_and_restart();
        let expected = VACANCIES / 4 * (round + 1);
        let (all, total) = loop {
            let (ids, total) = searched(&labex, &owner, "all").await;
            if total as usize >= expected {
                break (ids, total);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(total as usize, expected, "round {round}: each vacancy once");
        let distinct: BTreeSet<&String> = all.iter().collect();
        assert_eq!(distinct.len(), all.len(), "round {round}: no vacancy twice");
        assert!(
            published.iter().all(|id| all.contains(id)),
            "round {round}: every acknowledged vacancy is searchable"
        );
        let (open, open_total) = searched(&labex, &owner, "open").await;
        assert_eq!(open_total as usize, expected - (round + 1), "round {round}");
        assert!(
            !open.contains(&published[0]),
            "round {round}: the vacancy closed just before the kill is closed"
        );
    }
}
