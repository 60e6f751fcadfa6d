//! What `labex` has acknowledged survives: a clean restart keeps every
//! resource and read model, and SIGKILL under load loses no acknowledged
//! command.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use labex_testkit::Tokens;
use serde_json::json;

use crate::support::{Labex, employer, id_of, jobseeker, vacancy};

#[tokio::test]
async fn a_restart_keeps_every_resource_and_list() {
    let mut labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let employer_id = id_of(
        &labex
            .http
            .post("/v1/employers", Some(&counsellor), &employer(11))
            .await
            .expect(201),
    );
    let vacancy_id = id_of(
        &labex
            .http
            .post(
                "/v1/vacancies",
                Some(&counsellor),
                &vacancy(&employer_id, 2),
            )
            .await
            .expect(201),
    );
    let jobseeker_id = id_of(
        &labex
            .http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(11))
            .await
            .expect(201),
    );
    let referral_id = id_of(
        &labex
            .http
            .post(
                "/v1/referrals",
                Some(&counsellor),
                &json!({"jobseeker_id": jobseeker_id, "vacancy_id": vacancy_id}),
            )
            .await
            .expect(201),
    );
    let paths = [
        format!("/v1/employers/{employer_id}"),
        format!("/v1/vacancies/{vacancy_id}"),
        format!("/v1/jobseekers/{jobseeker_id}"),
        format!("/v1/referrals/{referral_id}"),
        format!("/v1/vacancies?employer={employer_id}"),
        "/v1/jobseekers?office=410105".to_owned(),
        format!("/v1/referrals?vacancy={vacancy_id}"),
    ];
    let mut before = Vec::new();
    for path in &paths {
        let body = labex
            .eventually(path, &counsellor, |body| {
                body.get("items")
                    .is_none_or(|items| items.as_array().is_some_and(|items| !items.is_empty()))
            })
            .await;
        before.push(body);
    }

    labex.restart();
    for (path, body) in paths.iter().zip(&before) {
        let answer = labex.http.get(path, Some(&counsellor)).await.expect(200);
        assert_eq!(&answer.body, body, "{path} after a restart");
    }
    // A registration made before the restart still blocks a second one.
    labex
        .http
        .post("/v1/jobseekers", Some(&counsellor), &jobseeker(11))
        .await
        .expect_problem(409, "conflict");
}

#[tokio::test]
async fn sigkill_under_load_loses_no_acknowledged_registration() {
    let mut labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicU32::new(100));
    let mut writers = Vec::new();
    for _ in 0..16 {
        let http = labex.http.clone();
        let token = counsellor.clone();
        let acknowledged = acknowledged.clone();
        let stop = stop.clone();
        let next = next.clone();
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Ok(answer) = http
                    .try_post("/v1/jobseekers", Some(&token), &jobseeker(n))
                    .await
                else {
                    break;
                };
                if answer.status.as_u16() == 201 {
                    acknowledged
                        .lock()
                        .expect("the list")
                        .push(answer.body["id"].as_str().expect("an id").to_owned());
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    labex.crash_and_restart();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("a writer");
    }
    let acknowledged = acknowledged.lock().expect("the list").clone();
    assert!(
        acknowledged.len() >= 50,
        "the load was real: {} acknowledged",
        acknowledged.len()
    );
    for id in &acknowledged {
        labex
            .http
            .get(&format!("/v1/jobseekers/{id}"), Some(&counsellor))
            .await
            .expect(200);
    }
    // The list catches up with every acknowledged registration, each once.
    let mut listed = Vec::new();
    for _ in 0..100 {
        listed = list_all(&labex, &counsellor).await;
        if acknowledged.iter().all(|id| listed.contains(id)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let missing: Vec<_> = acknowledged
        .iter()
        .filter(|id| !listed.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "not listed after the crash: {missing:?}"
    );
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "nothing is listed twice");
}

/// Every job seeker of office 410105, page by page.
async fn list_all(labex: &Labex, token: &str) -> Vec<String> {
    let mut all = Vec::new();
    let mut path = "/v1/jobseekers?office=410105&limit=100".to_owned();
    loop {
        let page = labex.http.get(&path, Some(token)).await.expect(200);
        for item in page.body["items"].as_array().expect("items") {
            all.push(item["id"].as_str().expect("an id").to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/v1/jobseekers?office=410105&limit=100&cursor={cursor}")
            }
            None => return all,
        }
    }
}
