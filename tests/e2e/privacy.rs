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
