//! Operational endpoints: `/healthz`, `/readyz`, `/metrics` and
//! `/openapi.json`, and the merging of services' OpenAPI documents.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use futures::future::BoxFuture;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{OpenApi as _, PartialSchema, ToSchema};

use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::metrics::Metrics;

/// One thing that must hold for the service to take traffic: the store is
/// reachable, a projection is caught up within bound.
pub trait ReadinessCheck: Send + Sync {
    /// A short lowercase name (`event_store`).
    fn name(&self) -> &str;
    /// `Ok` when ready; otherwise a lowercase reason.
    fn check(&self) -> BoxFuture<'_, Result<(), String>>;
}

/// What the operational endpoints serve.
#[derive(Clone)]
pub struct Operations {
    checks: Vec<Arc<dyn ReadinessCheck>>,
    metrics: Metrics,
    openapi: Arc<OpenApi>,
}

impl Operations {
    /// From the readiness checks, the metrics and the API document.
    pub fn new(checks: Vec<Arc<dyn ReadinessCheck>>, metrics: Metrics, openapi: OpenApi) -> Self {
        Self {
            checks,
            metrics,
            openapi: Arc::new(openapi),
        }
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

/// Answers a path no route matches with a 404 problem (a known path with
/// another method included: handlers answer for their own methods).
async fn no_such_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        ErrorCode::NotFound,
        "No resource lives at this path; check the URL against /openapi.json.",
    ))
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

async fn readyz(operations: web::Data<Operations>) -> Result<HttpResponse, ApiError> {
    let mut failed = Vec::new();
    for check in &operations.checks {
        if let Err(reason) = check.check().await {
            tracing::warn!(check = check.name(), reason = %reason, "readiness check failed");
            failed.push(FieldError {
                field: check.name().to_owned(),
                code: "readiness.failed".to_owned(),
                detail: crate::error::sentence(&reason),
            });
        }
    }
    if failed.is_empty() {
        return Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready"})));
    }
    let names: Vec<_> = failed.iter().map(|error| error.field.clone()).collect();
    Err(ApiError::new(
        ErrorCode::NotReady,
        format!(
            "The service is not ready: {} failed; retry shortly.",
            names.join(", ")
        ),
    )
    .with_errors(failed))
}

async fn metrics(operations: web::Data<Operations>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(operations.metrics.render())
}

async fn openapi(operations: web::Data<Operations>) -> HttpResponse {
    HttpResponse::Ok().json(operations.openapi.as_ref())
}

/// The name of the bearer security scheme in the document.
pub const BEARER_SCHEME: &str = "bearer";

#[derive(utoipa::OpenApi)]
#[openapi(info(
    title = "Labex",
    description = "A labour exchange for public employment offices."
))]
struct BaseDoc;

/// One document from the services' documents, with the problem schema and
/// the bearer security scheme.
pub fn merge_openapi(documents: impl IntoIterator<Item = OpenApi>) -> OpenApi {
    let mut merged = BaseDoc::openapi();
    for document in documents {
        merged.merge(document);
    }
    let components = merged.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert(Problem::name().into_owned(), Problem::schema());
    components
        .schemas
        .insert(FieldError::name().into_owned(), FieldError::schema());
    components.security_schemes.insert(
        BEARER_SCHEME.to_owned(),
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    merged
}
