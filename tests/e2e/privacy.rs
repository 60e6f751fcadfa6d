//! A resident ID number never reaches `labex`'s log, even at `debug` and
//! even in a request it refuses: neither the number nor the birth date it
//! carries (digits 7 to 14).

use labex_testkit::Tokens;
use reqwest::Method;
use serde_json::json;

use crate::support::{Labex, id_number, id_of, jobseeker};

/// The first generated number from `from` on whose check character is a
/// digit, so that it can also be sent as a JSON number.
fn numeric_id_number(from: u32) -> (u32, String) {
    (from..)
        .map(|n| (n, id_number(n)))
        .find(|(_, number)| number.ends_with(|last: char| last.is_ascii_digit()))
        .expect("a number with a digit as check character")
}

#[tokio::test]
async fn labex_never_logs_a_resident_id_number_even_at_debug() {
    let mut labex = Labex::start_logging("debug").await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;
    // Day 5,000 after 1970-01-01: a birth date in 1983, unlike any time
    // or position the log prints.
    let (n, number) = numeric_id_number(5_000_123);
    let birth = number[6..14].to_owned();
    let birth_dashed = format!("{}-{}-{}", &birth[..4], &birth[4..6], &birth[6..]);

    // Registered, read, listed and changed.
    let created = http
        .post("/v1/jobseekers", Some(&counsellor), &jobseeker(n))
        .await
        .expect(201);
    let id = id_of(&created);
    let path = format!("/v1/jobseekers/{id}");
    let read = http.get(&path, Some(&counsellor)).await.expect(200);
    assert!(
        !read.text.contains(&number),
        "the answer masks the number: {}",
        read.text
    );
    labex
        .eventually("/v1/jobseekers?office=410105", &counsellor, |body| {
            body["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|item| item["id"] == id.as_str()))
        })
        .await;
    http.patch(
        &path,
        Some(&counsellor),
        &json!({"phone": "13800138000", "skills": ["PLC", "变频器调试"]}),
    )
    .await
    .expect(200);

    // Refused: the same number registered again, and bodies carrying the
    // number that are wrong elsewhere (a field of the wrong type, a phone
    // that is the ID number, JSON cut short), or that send the number
    // itself as a JSON number.
    http.post("/v1/jobseekers", Some(&counsellor), &jobseeker(n))
        .await
        .expect_problem(409, "conflict");
    let mut wrong_type = jobseeker(n);
    wrong_type["education"] = json!(16);
    http.post("/v1/jobseekers", Some(&counsellor), &wrong_type)
        .await
        .expect_problem(422, "invalid_body");
    let mut number_as_phone = jobseeker(n + 1);
    number_as_phone["phone"] = json!(number);
    http.post("/v1/jobseekers", Some(&counsellor), &number_as_phone)
        .await
        .expect_problem(422, "validation_failed");
    http.patch(&path, Some(&counsellor), &json!({"phone": number}))
        .await
        .expect_problem(422, "validation_failed");
    http.send_raw(
        Method::POST,
        "/v1/jobseekers",
        Some(&counsellor),
        "application/json",
        format!("{{\"name\": \"赵磊\", \"id_number\": \"{number}\", \"education\": "),
    )
    .await
    .expect_problem(400, "malformed_json");
    let mut number_as_number = jobseeker(n);
    number_as_number["id_number"] = json!(number.parse::<u64>().expect("all digits"));
    let refused = http
        .post("/v1/jobseekers", Some(&counsellor), &number_as_number)
        .await;
    assert_eq!(
        refused.status.as_u16(),
        422,
        "a number sent as a JSON number is refused: {}",
        refused.text
    );

    let output = labex.stop_with_output();
    // The log was really at debug and saw these requests.
    assert!(output.contains("DEBUG"), "labex logged at debug:\n{output}");
    assert!(
        output.contains("/v1/jobseekers"),
        "the requests were logged:\n{output}"
    );
    for (what, secret) in [
        ("the ID number", number.as_str()),
        ("the birth date in the ID number", birth.as_str()),
        ("the birth date", birth_dashed.as_str()),
    ] {
        let leaks: Vec<&str> = output
            .lines()
            .filter(|line| line.contains(secret))
            .collect();
        assert!(
            leaks.is_empty(),
            "{what} ({secret}) is in the log:\n{}",
            leaks.join("\n")
        );
    }
}

/// Every file under `folder` whose bytes contain `needle`.
pub fn files_holding(folder: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_owned()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("a readable folder") {
                pending.push(entry.expect("an entry").path());
            }
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if bytes.windows(needle.len()).any(|window| window == needle) {
            found.push(path.display().to_string());
        }
    }
    found
}

#[cfg(unix)]
fn modes_not_private(folder: &std::path::Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut open = Vec::new();
    let mut pending = vec![folder.to_owned()];
    while let Some(path) = pending.pop() {
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            open.push(format!("{} {mode:o}", path.display()));
        }
        if metadata.is_dir() {
            for entry in std::fs::read_dir(&path).expect("a readable folder") {
                pending.push(entry.expect("an entry").path());
            }
        }
    }
    open
}

#[tokio::test]
async fn after_an_erasure_and_a_restart_no_file_under_the_data_folder_holds_the_name_or_id_number()
{
    let mut labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let admin = Tokens::issue(labex_web::Role::OfficeAdmin, "410100", None);
    let name = "欧阳婧雯";
    let number = id_number(7_300_011);
    let mut body = jobseeker(7_300_011);
    body["name"] = json!(name);
    let created = labex
        .http
        .post("/v1/jobseekers", Some(&counsellor), &body)
        .await
        .expect(201);
    let id = id_of(&created);
    let path = format!("/v1/jobseekers/{id}");
    let before = labex.http.get(&path, Some(&counsellor)).await.expect(200);
    assert_eq!(before.body["name"], name);
    labex
        .http
        .send(
            Method::POST,
            &format!("{path}/unemployment"),
            Some(&counsellor),
            Some(&json!({"note": format!("{name}所在工厂停产")})),
            &[],
        )
        .await
        .expect(200);
    let listed = labex
        .eventually("/v1/jobseekers?office=410105", &counsellor, |page| {
            page["items"][0]["name"] == name
        })
        .await;
    let registered_at = listed["items"][0]["registered_at"]
        .as_str()
        .expect("the registration time")
        .to_owned();
    // The store holds the name and number sealed only, from the start.
    let store = labex.data.path().join("eventstore");
    assert_eq!(files_holding(&store, name.as_bytes()), Vec::<String>::new());
    assert_eq!(
        files_holding(&store, number.as_bytes()),
        Vec::<String>::new()
    );

    // A counsellor may not erase; an office administrator in scope may.
    labex
        .http
        .post(
            &format!("{path}/erasure"),
            Some(&counsellor),
            &json!({"ground": "consent_withdrawn"}),
        )
        .await
        .expect_problem(403, "forbidden");
    labex
        .http
        .post(
            &format!("{path}/erasure"),
            Some(&admin),
            &json!({"ground": "because"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let erased = labex
        .http
        .post(
            &format!("{path}/erasure"),
            Some(&admin),
            &json!({"ground": "consent_withdrawn"}),
        )
        .await
        .expect(200);
    assert_eq!(erased.body["name"], serde_json::Value::Null);
    assert_eq!(erased.body["id_number"], serde_json::Value::Null);
    assert_eq!(erased.body["phone"], serde_json::Value::Null);
    assert_eq!(erased.body["erased"]["ground"], "consent_withdrawn");
    assert_eq!(erased.body["status"], "registered_unemployed");
    // Again: nothing more happens.
    labex
        .http
        .post(
            &format!("{path}/erasure"),
            Some(&admin),
            &json!({"ground": "consent_withdrawn"}),
        )
        .await
        .expect(200);
    labex
        .eventually("/v1/jobseekers?office=410105", &counsellor, |page| {
            page["items"][0]["erased"] == true && page["items"][0]["name"].is_null()
        })
        .await;
    // The past shows no personal data either.
    let then = labex
        .http
        .get(&format!("{path}?as_of={registered_at}"), Some(&counsellor))
        .await
        .expect(200);
    assert_eq!(then.body["name"], serde_json::Value::Null);
    assert_eq!(then.body["status"], "seeking");
    // The number is free again: the person may register anew.
    labex
        .http
        .post("/v1/jobseekers", Some(&counsellor), &body)
        .await
        .expect(201);
    let again = labex
        .eventually("/v1/jobseekers?office=410105", &counsellor, |page| {
            page["items"]
                .as_array()
                .is_some_and(|items| items.len() == 2)
        })
        .await;
    let renewed = again["items"][0]["id"].as_str().unwrap().to_owned();
    labex
        .http
        .post(
            &format!("/v1/jobseekers/{renewed}/erasure"),
            Some(&admin),
            &json!({"ground": "consent_withdrawn"}),
        )
        .await
        .expect(200);
    labex
        .eventually("/v1/jobseekers?office=410105", &counsellor, |page| {
            page["items"]
                .as_array()
                .is_some_and(|items| items.iter().all(|item| item["erased"] == true))
        })
        .await;

    labex.restart();
    labex.http.get(&path, Some(&counsellor)).await.expect(200);
    labex.stop();
    for needle in [name.as_bytes(), number.as_bytes()] {
        assert_eq!(
            files_holding(labex.data.path(), needle),
            Vec::<String>::new(),
            "{}",
            String::from_utf8_lossy(needle)
        );
    }
    #[cfg(unix)]
    assert_eq!(modes_not_private(labex.data.path()), Vec::<String>::new());
}

#[tokio::test]
async fn an_idempotency_key_reused_for_another_person_is_refused_and_claims_nothing() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let key = [("Idempotency-Key", "reg-7300100")];
    let first = labex
        .http
        .send(
            Method::POST,
            "/v1/jobseekers",
            Some(&counsellor),
            Some(&jobseeker(7_300_100)),
            &key,
        )
        .await
        .expect(201);
    let replay = labex
        .http
        .send(
            Method::POST,
            "/v1/jobseekers",
            Some(&counsellor),
            Some(&jobseeker(7_300_100)),
            &key,
        )
        .await
        .expect(201);
    assert_eq!(id_of(&first), id_of(&replay));
    let reused = labex
        .http
        .send(
            Method::POST,
            "/v1/jobseekers",
            Some(&counsellor),
            Some(&jobseeker(7_300_101)),
            &key,
        )
        .await
        .expect_problem(422, "idempotency_key_reused");
    assert!(reused.text.contains("reg-7300100"), "{}", reused.text);
    // The second person's number was not claimed: they register now.
    labex
        .http
        .post("/v1/jobseekers", Some(&counsellor), &jobseeker(7_300_101))
        .await
        .expect(201);
}
