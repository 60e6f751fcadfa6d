//! The middleware that turns a panic in a handler (or in a middleware
//! inside it) into a 500 problem instead of a dropped connection.
//!
//! It belongs inside [`observe`](crate::observe): the panic becomes an
//! error that `observe` renders within the request's id scope, so the
//! client gets `application/problem+json` with `instance` and
//! `X-Request-Id`, and the request is logged and counted like any other.
//! The panic is logged at error level with its message only, never with the
//! request's body. The worker goes on serving the next request.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use futures::FutureExt;

use crate::error::ApiError;

/// The middleware, for `App::wrap(actix_web::middleware::from_fn(catch_panic))`,
/// wrapped before (that is, inside) [`observe`](crate::observe).
///
/// It answers a panic with an error rather than a response, because a
/// response needs the request, and holding a copy of the request while the
/// app routes it is not allowed in actix-web.
pub async fn catch_panic(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    match AssertUnwindSafe(next.call(request)).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            let error = ApiError::internal(&format_args!("handler panicked: {message}"));
            Err(error.into())
        }
    }
}

/// The message a panic was raised with, when it has a printable one.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "a panic without a message"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_read_from_str_and_string_payloads() {
        let literal: Box<dyn Any + Send> = Box::new("boom");
        assert_eq!(panic_message(literal.as_ref()), "boom");
        let formatted: Box<dyn Any + Send> = Box::new(format!("boom {}", 7));
        assert_eq!(panic_message(formatted.as_ref()), "boom 7");
        let other: Box<dyn Any + Send> = Box::new(7_u8);
        assert_eq!(panic_message(other.as_ref()), "a panic without a message");
    }
}
