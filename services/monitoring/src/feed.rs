//! `GET /v1/warnings/feed`: every change of a warning level — a month's,
//! or a region's standing level — within the caller's region, oldest
//! first, resumable after a sequence number — a
//! page of JSON lines, or, for `Accept: text/event-stream`, server-sent
//! events that follow new changes as the read model applies them (it is
//! looked at every [`POLL`]), so that offices are told at once.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use futures::stream::{self, Stream};
use labex_app::{FieldError, InputError};
use labex_domain::value::DivisionCode;
use labex_web::{ApiError, Caller};
use serde::Deserialize;

use crate::commands::Monitoring;
use crate::routes::parse_region;

/// How often a live feed looks for new changes.
pub const POLL: Duration = Duration::from_millis(100);
/// The header naming the sequence to ask `after` next.
pub const NEXT_HEADER: &str = "labex-feed-next";

/// `?region=&after=&limit=`.
#[derive(Debug, Deserialize)]
pub struct FeedParams {
    region: Option<String>,
    after: Option<String>,
    limit: Option<String>,
}

fn number(name: &str, text: Option<&str>, default: i64, max: i64) -> Result<i64, FieldError> {
    match text {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|value| (0..=max).contains(value))
            .ok_or_else(|| {
                FieldError::input(
                    name,
                    InputError::QueryNumber,
                    &format!("must be a whole number from 0 to {max}."),
                )
            }),
    }
}

/// Changes of warning levels.
#[utoipa::path(get, path = "/v1/warnings/feed", tag = "warnings",
    params(
        ("region" = Option<labex_web::DivisionCode>, Query, description = "division code; the caller's office when absent"),
        ("after" = Option<i64>, Query, description = "the seq of the last change seen; from the start when absent"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "changes of a JSON-lines page, at most 1,000"),
        ("Last-Event-ID" = Option<String>, Header, description = "server-sent events: resume after this seq"),
    ),
    responses(
        (status = 200, description = "application/x-ndjson: one change per line ({seq, change}: a WarningLevelChanged — a month's level `from` → `to`, the region's standing level `standing_from` → `standing`), the last seq in the labex-feed-next header; text/event-stream: live events with the seq as id"),
        (status = 400, description = "a bad region, after or limit, each named in errors", body = labex_web::Problem, content_type = "application/problem+json"),
        (status = 403, body = labex_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn feed(
    app: web::Data<Monitoring>,
    caller: Caller,
    request: HttpRequest,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let last_event_id = request
        .headers()
        .get("last-event-id")
        .and_then(|value| value.to_str().ok());
    let (region, after, limit) = match (
        parse_region(params.region.as_deref()),
        number(
            "after",
            params.after.as_deref().or(last_event_id),
            0,
            i64::MAX,
        ),
        number("limit", params.limit.as_deref(), 100, 1000),
    ) {
        (Ok(region), Ok(after), Ok(limit)) => (region, after, limit),
        (region, after, limit) => {
            return Err(ApiError::invalid_parameters(
                [region.err(), after.err(), limit.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            ));
        }
    };
    let limit = u32::try_from(limit).unwrap_or(100);
    let region = app.scope_of(&caller, region)?;
    let wants_events = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"));
    if wants_events {
        return Ok(HttpResponse::Ok()
            .content_type("text/event-stream")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .streaming(live(app.into_inner(), caller, region, after)));
    }
    let changes = app
        .warning_changes(&caller, Some(region), after, limit)
        .await?;
    let mut body = String::new();
    for (seq, change) in &changes {
        body.push_str(&format!("{{\"seq\":{seq},\"change\":{change}}}\n"));
    }
    let mut response = HttpResponse::Ok();
    response.content_type("application/x-ndjson");
    if let Some((seq, _)) = changes.last() {
        response.insert_header((NEXT_HEADER, seq.to_string()));
    }
    Ok(response.body(body))
}

/// Server-sent events of the changes after `after`, then of every new one.
fn live(
    app: std::sync::Arc<Monitoring>,
    caller: Caller,
    region: DivisionCode,
    after: i64,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    stream::unfold(
        (app, caller, region, after),
        |(app, caller, region, after)| async move {
            loop {
                match app
                    .warning_changes(&caller, Some(region.clone()), after, 100)
                    .await
                {
                    Ok(changes) if !changes.is_empty() => {
                        let mut text = String::new();
                        let mut last = after;
                        for (seq, change) in changes {
                            text.push_str(&format!(
                                "id: {seq}\nevent: WarningLevelChanged\ndata: {change}\n\n"
                            ));
                            last = seq;
                        }
                        return Some((Ok(Bytes::from(text)), (app, caller, region, last)));
                    }
                    Ok(_) => tokio::time::sleep(POLL).await,
                    Err(error) => {
                        tracing::warn!(%error, "warning feed ended");
                        return None;
                    }
                }
            }
        },
    )
}
