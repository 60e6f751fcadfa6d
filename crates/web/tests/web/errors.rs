//! Bad bodies, queries and paths are answered with exact problem bodies.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::call;

fn post_things(body: &str) -> TestRequest {
    TestRequest::post()
        .uri("/v1/things")
        .insert_header(("content-type", "application/json"))
        .insert_header(("x-request-id", "req-1"))
        .set_payload(body.to_owned())
}

#[actix_web::test]
async fn malformed_json_is_a_400_problem() {
    let (status, headers, body) = call(post_things("{\"name\": ")).await;
    assert_eq!(status, 400);
    assert_eq!(
        headers.get("content-type").unwrap(),
        "application/problem+json"
    );
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/malformed_json",
            "title": "Malformed JSON",
            "status": 400,
            "detail": "The request body is not well-formed JSON (EOF while parsing a value at line 1, column 9); send valid JSON.",
            "instance": "req-1",
        })
    );
}

#[actix_web::test]
async fn a_wrong_type_is_a_422_problem_naming_the_type() {
    let (status, _, body) = call(post_things(r#"{"name": "a", "count": "three"}"#)).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/invalid_body",
            "title": "Invalid request body",
            "status": 422,
            "detail": "Invalid type: string \"three\", expected u32. Correct the request body and send it again.",
            "instance": "req-1",
        })
    );
}

#[actix_web::test]
async fn a_whole_number_written_with_a_zero_fraction_is_that_integer() {
    let (status, _, body) = call(post_things(r#"{"name": "a", "count": 3.0}"#)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["count"], json!(3));
}

#[actix_web::test]
async fn a_number_with_a_fraction_where_an_integer_is_due_is_a_422_problem() {
    let (status, _, body) = call(post_things(r#"{"name": "a", "count": 3.5}"#)).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/invalid_body",
            "title": "Invalid request body",
            "status": 422,
            "detail": "Invalid type: floating point `3.5`, expected u32. Correct the request body and send it again.",
            "instance": "req-1",
        })
    );
}

#[actix_web::test]
async fn a_missing_field_is_a_422_problem_listing_the_field() {
    let (status, _, body) = call(post_things(r#"{"name": "a"}"#)).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/invalid_body",
            "title": "Invalid request body",
            "status": 422,
            "detail": "Missing field `count`. Correct the request body and send it again.",
            "instance": "req-1",
            "errors": [{"field": "count", "code": "body.missing_field", "detail": "The field count is required."}],
        })
    );
}

#[actix_web::test]
async fn a_body_over_64_kib_is_a_413_problem() {
    let big = format!(r#"{{"name": "{}", "count": 1}}"#, "a".repeat(70 * 1024));
    let (status, _, body) = call(post_things(&big)).await;
    assert_eq!(status, 413);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/payload_too_large",
            "title": "Payload too large",
            "status": 413,
            "detail": "The request body is larger than the limit of 65536 bytes; send a smaller body.",
            "instance": "req-1",
        })
    );
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_a_415_problem() {
    let request = TestRequest::post()
        .uri("/v1/things")
        .insert_header(("content-type", "text/plain"))
        .set_payload("name=a");
    let (status, _, body) = call(request).await;
    assert_eq!(status, 415);
    assert_eq!(
        body["type"],
        "https://labex.example/problems/unsupported_media_type"
    );
}

#[actix_web::test]
async fn an_id_that_is_not_a_uuid_is_a_400_problem() {
    let request = TestRequest::put()
        .uri("/v1/things/not-a-uuid")
        .insert_header(("x-request-id", "req-1"));
    let (status, _, body) = call(request).await;
    assert_eq!(status, 400);
    assert_eq!(body["type"], "https://labex.example/problems/invalid_path");
    assert_eq!(body["instance"], "req-1");
}

#[actix_web::test]
async fn a_bad_division_code_lists_the_field_and_its_stable_code() {
    let token = crate::helpers::token(labex_web::Role::Province, "410000", None);
    let request = TestRequest::put()
        .uri("/v1/offices/4101/things")
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("x-request-id", "req-1"));
    let (status, _, body) = call(request).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/validation_failed",
            "title": "Validation failed",
            "status": 422,
            "detail": "Some fields are invalid; correct the fields listed in errors and send the request again.",
            "instance": "req-1",
            "errors": [{
                "field": "office",
                "code": "division_code.length",
                "detail": "An administrative division code has 6 digits, not 4 characters.",
            }],
        })
    );
}

#[actix_web::test]
async fn an_unknown_path_is_a_404_problem() {
    let request = TestRequest::get()
        .uri("/v1/nothing-here")
        .insert_header(("x-request-id", "req-1"));
    let (status, headers, body) = call(request).await;
    assert_eq!(status, 404);
    assert_eq!(
        headers.get("content-type").unwrap(),
        "application/problem+json"
    );
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/not_found",
            "title": "Not found",
            "status": 404,
            "detail": "No resource lives at this path; check the URL against /openapi.json.",
            "instance": "req-1",
        })
    );
}
