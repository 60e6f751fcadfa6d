//! Failures that happen around the handlers rather than in them: a panic,
//! and an error from a middleware inside the observer. Both are answered
//! with problem+json carrying the request id, over real HTTP.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use futures::future::BoxFuture;
use labex_web::{ApiError, Service, observe, serve};
use serde_json::json;

use crate::helpers::{TestServer, send};
use crate::logging::captured_log;

const INTERNAL_DETAIL: &str =
    "Something went wrong on our side; try again later, and quote the instance if it persists.";

#[tokio::test]
async fn a_panicking_handler_is_a_500_problem_and_the_worker_serves_on() {
    let captured = captured_log();
    let server = TestServer::start(false).await;
    // One worker: the requests after the panic are served by the worker
    // whose handler panicked.
    for attempt in 0..3 {
        let request_id = format!("req-panic-{attempt}");
        let reply = server
            .request(
                "POST",
                "/v1/panics",
                &[("X-Request-Id", &request_id)],
                "41010519900307803X",
            )
            .await;
        assert_eq!(reply.status, 500);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(reply.header("x-request-id"), Some(request_id.as_str()));
        assert_eq!(
            reply.json(),
            json!({
                "type": "https://labex.example/problems/internal",
                "title": "Internal server error",
                "status": 500,
                "detail": INTERNAL_DETAIL,
                "instance": request_id,
            })
        );
        let next = server.request("GET", "/v1/things", &[], "").await;
        assert_eq!(next.status, 200);
    }

    let log = captured.lines_with("req-panic-0");
    assert!(log.contains("ERROR"), "{log}");
    assert!(
        log.contains("handler panicked: the test handler fell over on purpose"),
        "{log}"
    );
    assert!(log.contains("status=500"), "{log}");
    assert!(!log.contains("41010519900307803X"), "{log}");
    let metrics = server.request("GET", "/metrics", &[], "").await;
    assert!(
        metrics
            .body
            .lines()
            .any(|line| line.contains("status=\"500\"") && line.contains("POST")),
        "{}",
        metrics.body
    );
    server.stop().await;
}

/// A service whose one route panics, mounted the way every Labex process
/// mounts its services.
struct Faulty;

async fn fall_over() -> HttpResponse {
    panic!("the faulty service fell over")
}

#[derive(utoipa::OpenApi)]
#[openapi(info(title = "faulty"))]
struct FaultyDoc;

impl Service for Faulty {
    fn name(&self) -> &'static str {
        "faulty"
    }

    fn configure(&self, config: &mut web::ServiceConfig) {
        config.route("/v1/faults", web::get().to(fall_over));
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        use utoipa::OpenApi as _;
        FaultyDoc::openapi()
    }

    fn stop(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

#[tokio::test]
async fn the_hosted_app_answers_a_panic_with_a_500_problem_and_keeps_serving() {
    let listener = labex_web::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = listener.local_addr().unwrap();
    // A client of a store that is never asked anything here.
    let client = labex_web::connect_store("esdb://127.0.0.1:1?tls=false").unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        serve(
            listener,
            crate::helpers::SECRET,
            client,
            vec![Arc::new(Faulty)],
            shutdown,
        )
        .await
    });

    for _ in 0..2 {
        let reply = send(
            address,
            "GET",
            "/v1/faults",
            &[("X-Request-Id", "req-7")],
            "",
        )
        .await;
        assert_eq!(reply.status, 500);
        assert_eq!(reply.header("x-request-id"), Some("req-7"));
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(reply.json()["instance"], "req-7");
        assert_eq!(reply.json()["detail"], INTERNAL_DETAIL);
    }
    let health = send(address, "GET", "/healthz", &[], "").await;
    assert_eq!(health.status, 200);

    stop.send(()).unwrap();
    served.await.unwrap().unwrap();
}

/// An inner middleware that refuses requests without a ticket header
/// before any handler runs.
async fn require_ticket(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if request.headers().contains_key("x-ticket") {
        next.call(request).await
    } else {
        Err(ApiError::forbidden("A ticket is required here; send the X-Ticket header.").into())
    }
}

async fn ticketed() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

#[tokio::test]
async fn an_error_from_an_inner_middleware_carries_the_request_id() {
    let server = HttpServer::new(|| {
        App::new()
            .wrap(from_fn(require_ticket))
            .wrap(from_fn(observe))
            .route("/v1/ticketed", web::get().to(ticketed))
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let address = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);

    let refused = send(
        address,
        "GET",
        "/v1/ticketed",
        &[("X-Request-Id", "req-9")],
        "",
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("x-request-id"), Some("req-9"));
    assert_eq!(
        refused.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        refused.json(),
        json!({
            "type": "https://labex.example/problems/forbidden",
            "title": "Forbidden",
            "status": 403,
            "detail": "A ticket is required here; send the X-Ticket header.",
            "instance": "req-9",
        })
    );

    // A generated id is the same in the header and the body.
    let refused = send(address, "GET", "/v1/ticketed", &[], "").await;
    let generated = refused.header("x-request-id").unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");
    assert_eq!(refused.json()["instance"], generated.as_str());

    let admitted = send(address, "GET", "/v1/ticketed", &[("X-Ticket", "1")], "").await;
    assert_eq!(admitted.status, 204);
    assert!(admitted.header("x-request-id").is_some());
    handle.stop(true).await;
}

#[actix_web::test]
async fn a_body_that_never_arrives_is_a_408_problem_and_the_worker_serves_on() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = HttpServer::new(|| {
        App::new()
            .wrap(from_fn(labex_web::deadline))
            .wrap(from_fn(observe))
            .app_data(web::Data::new(labex_web::Deadline(Duration::from_millis(
                300,
            ))))
            .configure(labex_web::configure_extractors)
            .route(
                "/v1/echo",
                web::post().to(|body: web::Json<serde_json::Value>| async move {
                    HttpResponse::Ok().json(body.into_inner())
                }),
            )
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let address = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);

    // Promises 100 bytes, sends 2, and waits.
    let mut slow = tokio::net::TcpStream::connect(address).await.unwrap();
    slow.write_all(
        format!(
            "POST /v1/echo HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\""
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut raw)).await;
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("HTTP/1.1 408"), "{raw}");
    assert!(raw.contains("request_timeout"), "{raw}");
    assert!(started.elapsed() < Duration::from_secs(3));

    // Meanwhile and after, others are served.
    let reply = send(
        address,
        "POST",
        "/v1/echo",
        &[("Content-Type", "application/json")],
        r#"{"a":1}"#,
    )
    .await;
    assert_eq!(reply.status, 200);
    handle.stop(true).await;
}

#[actix_web::test]
async fn methods_outside_the_standard_set_count_as_one_label() {
    let server = TestServer::start(false).await;
    for method in ["FROBNICATE", "WIBBLE", "GET"] {
        let _ = server.request(method, "/v1/things", &[], "").await;
    }
    let metrics = server.request("GET", "/metrics", &[], "").await;
    assert!(
        metrics.body.contains("method=\"OTHER\""),
        "{}",
        metrics.body
    );
    assert!(!metrics.body.contains("FROBNICATE"));
    assert!(!metrics.body.contains("WIBBLE"));
    server.stop().await;
}
