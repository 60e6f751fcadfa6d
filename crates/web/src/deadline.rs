//! Slow clients cannot hold the service: a request whose body has not
//! arrived and been answered within its [`Deadline`] is answered `408`
//! (`request_timeout`) and its connection closed. The headers have their
//! own shorter bound, and idle connections theirs (set on the server in
//! [`serve`](crate::serve)). A streaming answer (the live feed) counts as
//! answered once its head is sent.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::error::{ApiError, ErrorCode};

/// How long a request may take from its headers to its answer's head: in
/// the app data, else [`Deadline::default`] (30 s, or
/// `LABEX_REQUEST_TIMEOUT_SECS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(pub Duration);

impl Default for Deadline {
    fn default() -> Self {
        Self(Duration::from_secs(30))
    }
}

impl Deadline {
    /// `LABEX_REQUEST_TIMEOUT_SECS` (1–3600), or the default.
    pub fn from_env() -> Self {
        std::env::var("LABEX_REQUEST_TIMEOUT_SECS")
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .filter(|seconds| (1..=3600).contains(seconds))
            .map_or_else(Self::default, |seconds| Self(Duration::from_secs(seconds)))
    }
}

/// The middleware, for `App::wrap(actix_web::middleware::from_fn(deadline))`,
/// inside [`observe`](crate::observe) so that a 408 is logged and counted.
pub async fn deadline(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Deadline(limit) = request
        .app_data::<web::Data<Deadline>>()
        .map_or_else(Deadline::default, |deadline| ***deadline);
    match tokio::time::timeout(limit, next.call(request)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(ApiError::new(
            ErrorCode::RequestTimeout,
            format!(
                "The request was not received and answered within {} s; send it again, body included, without pausing.",
                limit.as_secs()
            ),
        )
        .with_header(
            actix_web::http::header::CONNECTION,
            actix_web::http::header::HeaderValue::from_static("close"),
        )
        .into()),
    }
}
