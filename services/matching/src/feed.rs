//! `GET /v1/vacancies/feed`: every published, changed, closed, placed and
//! filled vacancy in `$all` order, resumable from a position — a page of
//! JSON lines, or, for `Accept: text/event-stream`, a live stream of
//! server-sent events that follows new events as they are written.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use futures::stream::{self, Stream};
use kurrentdb::{
    Client, Position, ReadAllOptions, StreamPosition, SubscribeToAllOptions, SubscriptionEvent,
    SubscriptionFilter,
};
use labex_eventsourcing::StoredEvent;
use labex_web::{ApiError, MaybeCaller};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::params::{Problems, number};
use crate::routes::State;

/// The most items of one JSON-lines page.
pub const MAX_FEED_PAGE: usize = 1_000;
/// The header naming the position to ask `after` next.
pub const NEXT_HEADER: &str = "labex-feed-next";

/// `?after=&limit=`.
#[derive(Debug, Deserialize)]
pub struct FeedParams {
    after: Option<String>,
    limit: Option<String>,
}

/// One change of a vacancy.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedItem {
    /// Resume after this (`<commit>-<prepare>`).
    pub position: String,
    /// `VacancyPublished`, `VacancyUpdated`, `VacancyClosed`,
    /// `VacancyPlacementRecorded` or `VacancyFilled`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub vacancy_id: String,
    /// The stream revision the change made (the vacancy's ETag).
    pub revision: u64,
    /// When the store recorded it (RFC 3339).
    pub recorded_at: String,
    /// The event's data, current schema.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// The text form of a position.
pub fn format_position(position: Position) -> String {
    format!("{}-{}", position.commit, position.prepare)
}

fn parse_position(text: &str) -> Option<Position> {
    let (commit, prepare) = text.trim().split_once('-')?;
    Some(Position {
        commit: commit.parse().ok()?,
        prepare: prepare.parse().ok()?,
    })
}

fn filter() -> SubscriptionFilter {
    SubscriptionFilter::on_stream_name().add_prefix("vacancy-")
}

fn item(stored: &StoredEvent) -> FeedItem {
    let encoded = labex_domain::encode(&stored.event);
    FeedItem {
        position: format_position(stored.position),
        event_type: encoded.event_type.to_owned(),
        vacancy_id: stored
            .stream
            .strip_prefix("vacancy-")
            .unwrap_or(&stored.stream)
            .to_owned(),
        revision: stored.revision,
        recorded_at: stored
            .created
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        data: serde_json::from_slice(&encoded.data).unwrap_or(serde_json::Value::Null),
    }
}

/// The vacancy change feed (public).
#[utoipa::path(
    get,
    path = "/v1/vacancies/feed",
    tag = "matching",
    params(
        ("after" = Option<String>, Query, description = "the position of the last item seen; from the start when absent"),
        ("limit" = Option<u32>, Query, description = "items of a JSON-lines page, at most 1,000"),
        ("Last-Event-ID" = Option<String>, Header, description = "server-sent events: resume after this"),
    ),
    responses(
        (status = 200, description = "application/x-ndjson: one FeedItem per line, the next `after` in the Labex-Feed-Next header; text/event-stream: live events, each with its position as id", body = FeedItem),
        (status = 400, description = "a bad position or limit", body = labex_web::Problem),
    )
)]
pub async fn feed(
    state: web::Data<State>,
    _caller: MaybeCaller,
    request: HttpRequest,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let mut problems = Problems::default();
    let last_event_id = request
        .headers()
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let after_text = params.after.clone().or(last_event_id);
    let after = match after_text.as_deref() {
        None => None,
        Some(text) => match parse_position(text) {
            Some(position) => Some(position),
            None => {
                problems.add(
                    "after",
                    "feed.position",
                    "after must be the position of a feed item, such as 1234-1234.",
                );
                None
            }
        },
    };
    let limit = number(
        &mut problems,
        "limit",
        params.limit.as_deref(),
        MAX_FEED_PAGE,
    )
    .unwrap_or(100)
    .max(1);
    problems.finish(())?;
    let wants_events = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"));
    let client = state.repository.client().clone();
    if wants_events {
        return Ok(HttpResponse::Ok()
            .content_type("text/event-stream")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .streaming(live(client, after)));
    }
    let (items, next) = page(&client, after, limit).await?;
    let mut body = String::new();
    for item in &items {
        body.push_str(&serde_json::to_string(item).map_err(|error| ApiError::internal(&error))?);
        body.push('\n');
    }
    let mut response = HttpResponse::Ok();
    response.content_type("application/x-ndjson");
    if let Some(next) = next {
        response.insert_header((NEXT_HEADER, format_position(next)));
    }
    Ok(response.body(body))
}

/// Up to `limit` items after `after`, and the position to continue from.
async fn page(
    client: &Client,
    after: Option<Position>,
    limit: usize,
) -> Result<(Vec<FeedItem>, Option<Position>), ApiError> {
    let start = after.map_or(StreamPosition::Start, StreamPosition::Position);
    let options = ReadAllOptions::default()
        .position(start)
        .filter(filter())
        .max_count(limit + 1);
    let mut read = client
        .read_all(&options)
        .await
        .map_err(|error| ApiError::store_unavailable(&error))?;
    let mut items = Vec::with_capacity(limit);
    while items.len() < limit {
        let Some(resolved) = read
            .next()
            .await
            .map_err(|error| ApiError::store_unavailable(&error))?
        else {
            break;
        };
        let recorded = resolved.get_original_event();
        if Some(recorded.position) == after {
            continue;
        }
        let stored =
            StoredEvent::from_recorded(recorded).map_err(|error| ApiError::internal(&error))?;
        items.push(item(&stored));
    }
    let next = items
        .last()
        .and_then(|item| parse_position(&item.position))
        .or(after);
    Ok((items, next))
}

/// Server-sent events from `after` on, following the store live.
fn live(
    client: Client,
    after: Option<Position>,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    let start = after.map_or(StreamPosition::Start, StreamPosition::Position);
    let options = SubscribeToAllOptions::default()
        .position(start)
        .filter(filter());
    let state = Some((client, options, None::<kurrentdb::Subscription>));
    stream::unfold(state, |state| async move {
        let (client, options, subscription) = state?;
        let mut subscription = match subscription {
            Some(subscription) => subscription,
            None => client.subscribe_to_all(&options).await,
        };
        loop {
            let event = match subscription.next_subscription_event().await {
                Ok(event) => event,
                Err(error) => {
                    tracing::warn!(error = %error, "vacancy feed subscription ended");
                    let message = "event: error\ndata: {\"detail\": \"the event store subscription ended; reconnect with Last-Event-ID\"}\n\n";
                    return Some((Ok(Bytes::from(message)), None));
                }
            };
            let text = match event {
                SubscriptionEvent::EventAppeared(resolved) => {
                    match StoredEvent::from_recorded(resolved.get_original_event()) {
                        Ok(stored) => {
                            let item = item(&stored);
                            let data = serde_json::to_string(&item).unwrap_or_default();
                            format!(
                                "id: {}\nevent: {}\ndata: {data}\n\n",
                                item.position, item.event_type
                            )
                        }
                        Err(error) => {
                            tracing::error!(error = %error, "a vacancy event cannot be read");
                            continue;
                        }
                    }
                }
                SubscriptionEvent::Checkpoint(position) => {
                    format!(": checkpoint {}\n\n", format_position(position))
                }
                SubscriptionEvent::CaughtUp(_) => ": caught up\n\n".to_owned(),
                _ => continue,
            };
            return Some((
                Ok(Bytes::from(text)),
                Some((client, options, Some(subscription))),
            ));
        }
    })
}
