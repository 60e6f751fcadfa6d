//! ETag, If-Match, Idempotency-Key and cursors.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::call;

const THING: &str = "/v1/things/0193a000-0000-7000-8000-000000000001";

fn put_thing(if_match: &str) -> TestRequest {
    TestRequest::put()
        .uri(THING)
        .insert_header(("if-match", if_match))
        .insert_header(("x-request-id", "req-3"))
}

#[actix_web::test]
async fn a_matching_if_match_answers_the_new_etag() {
    let (status, headers, _) = call(put_thing("\"3\"")).await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("etag").unwrap(), "\"4\"");
}

#[actix_web::test]
async fn a_malformed_if_match_is_a_400_problem() {
    let (status, _, body) = call(put_thing("three")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/invalid_if_match",
            "title": "Invalid If-Match header",
            "status": 400,
            "detail": "If-Match must be * or the ETag of the resource, a quoted revision such as \"3\"; send the ETag you received.",
            "instance": "req-3",
        })
    );
}

#[actix_web::test]
async fn a_stale_etag_is_a_412_problem() {
    let (status, _, body) = call(put_thing("\"2\"")).await;
    assert_eq!(status, 412);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/precondition_failed",
            "title": "Precondition failed",
            "status": 412,
            "detail": "The resource has changed since the revision in If-Match; fetch it again and retry with its new ETag.",
            "instance": "req-3",
        })
    );
}

#[actix_web::test]
async fn if_match_star_proceeds_on_a_resource_that_exists() {
    let (status, headers, body) = call(put_thing("*")).await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("etag").unwrap(), "\"4\"");
    assert_eq!(body["revision"], 4);
}

#[actix_web::test]
async fn a_list_whose_strong_tags_name_the_current_revision_proceeds() {
    for list in ["\"3\", \"3\"", "W/\"2\", \"3\"", " \"3\" , , W/\"3\""] {
        let (status, headers, _) = call(put_thing(list)).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(headers.get("etag").unwrap(), "\"4\"", "{list}");
    }
}

#[actix_web::test]
async fn several_if_match_lines_are_read_as_one_list() {
    let request = TestRequest::put()
        .uri(THING)
        .append_header(("if-match", "W/\"3\""))
        .append_header(("if-match", "\"3\""));
    let (status, _, _) = call(request).await;
    assert_eq!(status, 200);
    let stale = TestRequest::put()
        .uri(THING)
        .append_header(("if-match", "\"2\""))
        .append_header(("if-match", "W/\"3\""));
    let (status, _, body) = call(stale).await;
    assert_eq!(status, 412);
    assert_eq!(
        body["type"],
        "https://labex.example/problems/precondition_failed"
    );
}

#[actix_web::test]
async fn a_weak_tag_never_matches_even_the_current_revision() {
    let (status, headers, body) = call(put_thing("W/\"3\"")).await;
    assert_eq!(status, 412);
    assert_eq!(
        headers.get("content-type").unwrap(),
        "application/problem+json"
    );
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/precondition_failed",
            "title": "Precondition failed",
            "status": 412,
            "detail": "If-Match compares entity tags strongly, so a weak tag such as W/\"3\" never matches; send the ETag exactly as this service gave it, without W/.",
            "instance": "req-3",
        })
    );
    // Beside a stale strong tag, a weak copy of the current one does not
    // save the write either.
    let (status, _, body) = call(put_thing("\"2\", W/\"3\"")).await;
    assert_eq!(status, 412);
    assert_eq!(
        body["detail"],
        "The resource has changed since the revision in If-Match; fetch it again and retry with its new ETag."
    );
}

#[actix_web::test]
async fn a_list_naming_several_revisions_is_a_400_problem() {
    let (status, _, body) = call(put_thing("\"2\", \"3\"")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/invalid_if_match",
            "title": "Invalid If-Match header",
            "status": 400,
            "detail": "If-Match may name only one revision, because a change is written against exactly one; send only the ETag you received last.",
            "instance": "req-3",
        })
    );
}

#[actix_web::test]
async fn a_star_inside_a_list_or_a_foreign_tag_is_a_400_problem() {
    for malformed in ["*, \"3\"", "\"abc\"", "W/3", ","] {
        let (status, _, body) = call(put_thing(malformed)).await;
        assert_eq!(status, 400, "{malformed}");
        assert_eq!(
            body["type"], "https://labex.example/problems/invalid_if_match",
            "{malformed}"
        );
    }
}

#[actix_web::test]
async fn an_idempotency_key_is_read_and_a_bad_one_is_a_400_problem() {
    let post = |key: &str| {
        TestRequest::post()
            .uri("/v1/things")
            .insert_header(("idempotency-key", key))
            .set_json(json!({"name": "a", "count": 1}))
    };
    let (status, _, body) = call(post("retry-7")).await;
    assert_eq!(status, 201);
    assert_eq!(body["idempotency_key"], "retry-7");
    let (status, _, body) = call(post(&"k".repeat(256))).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["type"],
        "https://labex.example/problems/invalid_idempotency_key"
    );
}

#[actix_web::test]
async fn a_cursor_handed_out_reads_back_and_limits_are_capped() {
    let (status, _, first) = call(TestRequest::get().uri("/v1/things?limit=500")).await;
    assert_eq!(status, 200);
    assert_eq!(first["limit"], 100);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (status, _, second) =
        call(TestRequest::get().uri(&format!("/v1/things?cursor={cursor}"))).await;
    assert_eq!(status, 200);
    assert_eq!(second["limit"], 20);
    assert_eq!(second["after"], "thing-42");
}

#[actix_web::test]
async fn a_bad_cursor_is_a_400_problem() {
    let request = TestRequest::get()
        .uri("/v1/things?cursor=!!not-ours!!")
        .insert_header(("x-request-id", "req-3"));
    let (status, _, body) = call(request).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/invalid_cursor",
            "title": "Invalid cursor",
            "status": 400,
            "detail": "The cursor is not one this service issued; use the next_cursor of the previous page, or none for the first page.",
            "instance": "req-3",
        })
    );
}
