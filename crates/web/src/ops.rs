//! Operational endpoints: `/healthz`, `/readyz`, `/metrics` and
//! `/openapi.json`, and the merging of services' OpenAPI documents.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError, web};
use futures::future::BoxFuture;

use serde::Serialize;

use labex_app::{FieldError, InputError};

use crate::document::AllowedMethods;
use crate::error::{ApiError, ErrorCode, PROBLEM_JSON, Problem};
use crate::metrics::Metrics;

/// One thing that must hold for the service to take traffic: the store is
/// reachable, a projection is caught up within bound.
pub trait ReadinessCheck: Send + Sync {
    /// A short lowercase name (`event_store`).
    fn name(&self) -> &str;
    /// `Ok` when ready; otherwise a lowercase reason.
    fn check(&self) -> BoxFuture<'_, Result<(), String>>;
    /// The check with what it measured on the way (a projection's lag),
    /// as `/readyz` reports it; by default [`check`](Self::check) alone.
    fn report(&self) -> BoxFuture<'_, Readiness> {
        Box::pin(async move {
            Readiness {
                outcome: self.check().await,
                lag: None,
            }
        })
    }
}

/// What a readiness check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// `Ok` when ready; otherwise a lowercase reason.
    pub outcome: Result<(), String>,
    /// How far behind the store a projection is, for a projection's check
    /// that could measure it.
    pub lag: Option<LagReport>,
}

/// How far behind the store's `$all` a projection is, as `/readyz`
/// reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LagReport {
    /// Events it has yet to apply (counted up to `lag_counted_up_to`).
    pub lag_events: u64,
    /// The count of `lag_events` stops here: it may be more.
    pub lag_counted_up_to: u64,
    /// The commit position it has reached in `$all` (its checkpoint), if
    /// it has reached any.
    pub position: Option<u64>,
    /// The commit position of the last event in `$all`, if any.
    pub head_position: Option<u64>,
    /// The most events it may be behind and still count as ready.
    pub ready_within_events: u64,
}

/// One check's line in the `/readyz` body.
#[derive(Debug, Clone, Serialize)]
struct CheckReport {
    name: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(flatten)]
    lag: Option<LagReport>,
}

/// What the operational endpoints serve.
#[derive(Clone)]
pub struct Operations {
    checks: Vec<Arc<dyn ReadinessCheck>>,
    metrics: Metrics,
    openapi: Arc<serde_json::Value>,
    allowed: Arc<AllowedMethods>,
}

impl Operations {
    /// From the readiness checks, the metrics and the API document (as
    /// [`merge_openapi`](crate::merge_openapi) makes it).
    pub fn new(
        checks: Vec<Arc<dyn ReadinessCheck>>,
        metrics: Metrics,
        openapi: serde_json::Value,
    ) -> Self {
        Self {
            checks,
            metrics,
            allowed: Arc::new(AllowedMethods::of(&openapi)),
            openapi: Arc::new(openapi),
        }
    }

    /// The `Allow` value of the documented path `path` matches, if any.
    pub fn allowed_methods(&self, path: &str) -> Option<&str> {
        self.allowed.for_path(path)
    }

    /// Mounts the endpoints and the metrics as app data (for the observing
    /// middleware): `App::new().configure(operations.configure())`.
    pub fn configure(self) -> impl FnOnce(&mut web::ServiceConfig) {
        move |config| {
            config
                .app_data(web::Data::new(self.metrics.clone()))
                .app_data(web::Data::new(self))
                .route("/healthz", web::get().to(healthz))
                .route("/readyz", web::get().to(readyz))
                .route("/metrics", web::get().to(metrics))
                .route("/openapi.json", web::get().to(openapi))
                .default_service(web::to(no_such_route));
        }
    }
}

/// A 405 problem with `Allow: <methods>` (RFC 9110 §15.5.6).
pub(crate) fn method_not_allowed(allowed: &str) -> ApiError {
    let error = ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("This resource takes {allowed} only; check the method against /openapi.json."),
    );
    match header::HeaderValue::from_str(allowed) {
        Ok(value) => error.with_header(header::ALLOW, value),
        Err(_) => error,
    }
}

/// Answers a request no route takes: a documented path with a method it
/// does not take is a 405 naming those it does (`Allow`), any other path a
/// 404 problem.
async fn no_such_route(
    request: actix_web::HttpRequest,
    operations: web::Data<Operations>,
) -> Result<HttpResponse, ApiError> {
    if let Some(allowed) = operations.allowed_methods(request.path()) {
        return Err(method_not_allowed(allowed));
    }
    Err(ApiError::new(
        ErrorCode::NotFound,
        "No resource lives at this path; check the URL against /openapi.json.",
    ))
}

/// Alive: the process answers (nothing else is checked).
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "alive: {\"status\": \"ok\"}", body = serde_json::Value))
)]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Ready (200) when every check holds, otherwise a 503 `not_ready`
/// problem naming the failed ones; either way the body lists every check
/// (`checks`: name, ok, detail when failing, and a projection's lag).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "ready; every check with its lag", body = serde_json::Value),
        (status = 503, description = "not ready: the failed checks in errors, every check in checks", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn readyz(operations: web::Data<Operations>) -> Result<HttpResponse, ApiError> {
    let mut failed = Vec::new();
    let mut reports = Vec::with_capacity(operations.checks.len());
    for check in &operations.checks {
        let readiness = check.report().await;
        let detail = match &readiness.outcome {
            Ok(()) => None,
            Err(reason) => {
                tracing::warn!(check = check.name(), reason = %reason, "readiness check failed");
                let detail = crate::error::sentence(reason);
                failed.push(FieldError::with_sentence(
                    check.name(),
                    InputError::ReadinessFailed,
                    detail.clone(),
                ));
                Some(detail)
            }
        };
        reports.push(CheckReport {
            name: check.name().to_owned(),
            ok: readiness.outcome.is_ok(),
            detail,
            lag: readiness.lag,
        });
    }
    if failed.is_empty() {
        return Ok(HttpResponse::Ok().json(serde_json::json!({
            "status": "ready",
            "checks": reports,
        })));
    }
    let names: Vec<_> = failed.iter().map(|error| error.field.clone()).collect();
    let error = ApiError::new(
        ErrorCode::NotReady,
        format!(
            "The service is not ready: {} failed; retry shortly.",
            names.join(", ")
        ),
    )
    .with_errors(failed);
    // The problem with every check's report as an extension member.
    let mut body =
        serde_json::to_value(error.problem()).map_err(|cause| ApiError::internal(&cause))?;
    if let Some(members) = body.as_object_mut() {
        members.insert(
            "checks".to_owned(),
            serde_json::to_value(&reports).unwrap_or_default(),
        );
    }
    Ok(HttpResponse::build(error.status_code())
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .json(body))
}

/// Prometheus metrics in the text format: requests by method, route and
/// status, projections' lag, search latency and lag.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "the Prometheus text format", body = String, content_type = "text/plain"))
)]
async fn metrics(operations: web::Data<Operations>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(operations.metrics.render())
}

async fn openapi(operations: web::Data<Operations>) -> HttpResponse {
    HttpResponse::Ok().json(operations.openapi.as_ref())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Labex",
        description = "A labour exchange for public employment offices."
    ),
    paths(healthz, readyz, metrics),
    tags((name = "operations", description = "liveness, readiness and metrics"))
)]
pub(crate) struct BaseDoc;
