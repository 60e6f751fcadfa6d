//! A small service built the way Labex services are, and a plain HTTP/1.1
//! client for talking to it over a socket.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpResponse, HttpServer, web};
use futures::future::BoxFuture;
use labex_domain::EmployerId;
use labex_domain::value::DivisionCode;
use labex_eventsourcing::RepositoryError;
use labex_web::{
    ApiError, Caller, Cursor, FieldError, IdempotencyKeyHeader, IfMatch, LagReport, Metrics,
    Operations, Page, Readiness, ReadinessCheck, Role, TokenIssuer, etag, merge_openapi,
};
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const SECRET: &[u8] = b"test-secret";
pub const CURRENT_REVISION: u64 = 3;

pub fn office(code: &str) -> DivisionCode {
    DivisionCode::parse(code).unwrap()
}

pub fn token(role: Role, office_code: &str, employer_id: Option<EmployerId>) -> String {
    TokenIssuer::new(SECRET).issue(
        "user-1",
        role,
        office(office_code),
        employer_id,
        Duration::from_secs(3600),
    )
}

#[derive(Deserialize)]
struct NewThing {
    name: String,
    count: u32,
}

async fn create_thing(
    body: labex_web::Json<NewThing>,
    key: IdempotencyKeyHeader,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(serde_json::json!({
        "name": body.name,
        "count": body.count,
        "idempotency_key": key.0.as_ref().map(|key| key.as_str()),
    })))
}

async fn act_in_office(caller: Caller, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let code = DivisionCode::parse(&path)
        .map_err(|error| ApiError::validation(vec![FieldError::new("office", &error)]))?;
    caller.may_act_in(&code)?;
    Ok(HttpResponse::NoContent().finish())
}

async fn act_for_employer(
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.may_act_for_employer(EmployerId::from_uuid(*path), &office("410105"))?;
    Ok(HttpResponse::NoContent().finish())
}

async fn update_thing(
    if_match: IfMatch,
    _path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = if_match.revision()
        && expected != CURRENT_REVISION
    {
        let conflict = RepositoryError::Conflict {
            stream: "thing-1".to_owned(),
            expected: Some(expected),
            actual: Some(CURRENT_REVISION),
        };
        return Err(ApiError::from_repository(conflict, if_match.is_present()));
    }
    Ok(HttpResponse::Ok()
        .insert_header(etag(CURRENT_REVISION + 1))
        .json(serde_json::json!({"revision": CURRENT_REVISION + 1})))
}

/// A handler with a bug: it panics, after its body has been read.
async fn panic_on_purpose(_body: String) -> HttpResponse {
    panic!("the test handler fell over on purpose")
}

async fn list_things(page: Page) -> HttpResponse {
    let next = Cursor::new("thing-42").encode();
    HttpResponse::Ok().json(serde_json::json!({
        "limit": page.limit,
        "after": page.cursor.as_ref().map(|cursor| cursor.position().to_owned()),
        "next_cursor": next,
    }))
}

struct Fixed {
    name: &'static str,
    outcome: Result<(), &'static str>,
    lag: Option<LagReport>,
}

impl ReadinessCheck for Fixed {
    fn name(&self) -> &str {
        self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.outcome.map_err(str::to_owned) })
    }

    fn report(&self) -> BoxFuture<'_, Readiness> {
        Box::pin(async move {
            Readiness {
                outcome: self.check().await,
                lag: self.lag.clone(),
            }
        })
    }
}

/// A projection's lag: `events` behind a head at 9000.
fn lag(events: u64) -> LagReport {
    LagReport {
        lag_events: events,
        lag_counted_up_to: 10_000,
        position: Some(9_000 - events),
        head_position: Some(9_000),
        ready_within_events: 1_000,
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(info(title = "things"))]
struct ThingsDoc;

/// The readiness checks: the store reachable, a projection lagging when
/// `projection_lagging`.
pub fn checks(projection_lagging: bool) -> Vec<Arc<dyn ReadinessCheck>> {
    vec![
        Arc::new(Fixed {
            name: "event_store",
            outcome: Ok(()),
            lag: None,
        }),
        Arc::new(Fixed {
            name: "projection_lag",
            outcome: if projection_lagging {
                Err("the jobseekers projection is 5000 events behind")
            } else {
                Ok(())
            },
            lag: Some(lag(if projection_lagging { 5_000 } else { 0 })),
        }),
    ]
}

pub fn operations(projection_lagging: bool) -> Operations {
    use utoipa::OpenApi as _;
    Operations::new(
        checks(projection_lagging),
        Metrics::new(),
        merge_openapi([ThingsDoc::openapi()]),
    )
}

/// The app of a Labex service, with the test routes.
macro_rules! test_app {
    ($operations:expr) => {
        actix_web::App::new()
            .wrap(actix_web::middleware::from_fn(labex_web::catch_panic))
            .wrap(actix_web::middleware::from_fn(labex_web::observe))
            .app_data(actix_web::web::Data::new(labex_web::TokenVerifier::new(
                $crate::helpers::SECRET,
            )))
            .configure(labex_web::configure_extractors)
            .configure($operations.configure())
            .configure($crate::helpers::routes)
    };
}

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/v1/things", web::post().to(create_thing))
        .route("/v1/things", web::get().to(list_things))
        .route("/v1/things/{id}", web::put().to(update_thing))
        .route("/v1/panics", web::post().to(panic_on_purpose))
        .route("/v1/offices/{office}/things", web::put().to(act_in_office))
        .route(
            "/v1/employers/{employer_id}/vacancies",
            web::post().to(act_for_employer),
        );
}

/// A server on a free loopback port.
pub struct TestServer {
    pub address: std::net::SocketAddr,
    handle: actix_web::dev::ServerHandle,
}

impl TestServer {
    pub async fn start(projection_lagging: bool) -> Self {
        let operations = operations(projection_lagging);
        let server = HttpServer::new(move || test_app!(operations.clone()))
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .unwrap();
        let address = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self { address, handle }
    }

    /// Sends one request and reads the whole response.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        send(self.address, method, path, headers, body).await
    }

    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}

/// Sends one HTTP/1.1 request to `address` over a new connection and reads
/// the whole response.
pub async fn send(
    address: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    Reply::parse(&String::from_utf8(raw).unwrap())
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    fn parse(raw: &str) -> Self {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        Self {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// Calls the app in memory and returns status, headers and JSON body.
pub async fn call(
    request: actix_web::test::TestRequest,
) -> (u16, actix_web::http::header::HeaderMap, serde_json::Value) {
    let app = actix_web::test::init_service(test_app!(operations(false))).await;
    let response = actix_web::test::call_service(&app, request.to_request()).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = actix_web::test::read_body(response).await;
    let json = if body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&body).unwrap()
    };
    (status, headers, json)
}
