//! Request ids, health, readiness, metrics and OpenAPI, over real HTTP.

use serde_json::json;

use crate::helpers::TestServer;

#[tokio::test]
async fn a_request_id_is_echoed_or_generated() {
    let server = TestServer::start(false).await;
    let reply = server
        .request("GET", "/healthz", &[("X-Request-Id", "client-abc")], "")
        .await;
    assert_eq!(reply.header("x-request-id"), Some("client-abc"));
    let reply = server.request("GET", "/healthz", &[], "").await;
    let generated = reply.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");
    server.stop().await;
}

#[tokio::test]
async fn healthz_answers_while_the_process_lives() {
    let server = TestServer::start(true).await;
    let reply = server.request("GET", "/healthz", &[], "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"status": "ok"}));
    server.stop().await;
}

#[tokio::test]
async fn readyz_names_the_failing_check_in_a_503_problem_and_reports_every_check() {
    let server = TestServer::start(true).await;
    let reply = server
        .request("GET", "/readyz", &[("X-Request-Id", "req-4")], "")
        .await;
    assert_eq!(reply.status, 503);
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        reply.json(),
        json!({
            "type": "https://labex.example/problems/not_ready",
            "title": "Not ready",
            "status": 503,
            "detail": "The service is not ready: projection_lag failed; retry shortly.",
            "instance": "req-4",
            "errors": [{
                "field": "projection_lag",
                "code": "readiness.failed",
                "detail": "The jobseekers projection is 5000 events behind.",
            }],
            "checks": [
                {"name": "event_store", "ok": true},
                {
                    "name": "projection_lag",
                    "ok": false,
                    "detail": "The jobseekers projection is 5000 events behind.",
                    "lag_events": 5000,
                    "lag_counted_up_to": 10000,
                    "position": 4000,
                    "head_position": 9000,
                    "ready_within_events": 1000,
                },
            ],
        })
    );
    server.stop().await;
}

#[tokio::test]
async fn readyz_reports_each_projections_lag_when_ready() {
    let ready = TestServer::start(false).await;
    let reply = ready.request("GET", "/readyz", &[], "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({
            "status": "ready",
            "checks": [
                {"name": "event_store", "ok": true},
                {
                    "name": "projection_lag",
                    "ok": true,
                    "lag_events": 0,
                    "lag_counted_up_to": 10000,
                    "position": 9000,
                    "head_position": 9000,
                    "ready_within_events": 1000,
                },
            ],
        })
    );
    ready.stop().await;
}

#[tokio::test]
async fn metrics_count_a_request_by_route_pattern_and_status() {
    let server = TestServer::start(false).await;
    let thing = "/v1/things/0193a000-0000-7000-8000-000000000001";
    let reply = server
        .request("PUT", thing, &[("If-Match", "\"3\"")], "")
        .await;
    assert_eq!(reply.status, 200);
    let metrics = server.request("GET", "/metrics", &[], "").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.body.contains(
            "http_requests_total{method=\"PUT\",route=\"/v1/things/{id}\",status=\"200\"} 1"
        ),
        "{}",
        metrics.body
    );
    assert!(
        metrics.body.contains(
            "http_request_duration_seconds_bucket{method=\"PUT\",route=\"/v1/things/{id}\""
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn openapi_is_json_with_the_bearer_scheme_and_the_problem_schema() {
    let server = TestServer::start(false).await;
    let reply = server.request("GET", "/openapi.json", &[], "").await;
    assert_eq!(reply.status, 200);
    let document = reply.json();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"],
        json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    );
    assert!(document["components"]["schemas"]["Problem"]["properties"]["type"].is_object());
    server.stop().await;
}

#[tokio::test]
async fn malformed_json_over_http_is_a_400_problem_with_the_request_id() {
    let server = TestServer::start(false).await;
    let reply = server
        .request(
            "POST",
            "/v1/things",
            &[
                ("Content-Type", "application/json"),
                ("X-Request-Id", "req-5"),
            ],
            "{not json",
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("x-request-id"), Some("req-5"));
    assert_eq!(reply.json()["instance"], "req-5");
    assert_eq!(
        reply.json()["type"],
        "https://labex.example/problems/malformed_json"
    );
    server.stop().await;
}
