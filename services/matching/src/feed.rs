//! `GET /v1/vacancies/feed`: every published, changed, closed, placed and
//! filled vacancy in `$all` order, resumable from a position — a page of
//! JSON lines, or, for `Accept: text/event-stream`, a live stream of
//! server-sent events that follows new events as they are written.
//!
//! The live feed is open to anyone, so it is bounded as every live feed
//! of the process is ([`labex_web::feeds`]): connections in all and per
//! address (past them a 429), a store client of its own, and a reader
//! that falls too far behind is sent a last event saying where to resume
//! and disconnected.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use futures::stream::Stream;
use kurrentdb::{
    Client, Position, ReadAllOptions, StreamPosition, SubscribeToAllOptions, SubscriptionEvent,
    SubscriptionFilter,
};
use labex_app::{Error, FieldError, InputError, Validator};
use labex_eventsourcing::{StoredEvent, reads};
use labex_web::feeds::{FeedQueue, Sent, format_position, parse_position};
use labex_web::{ApiError, MaybeCaller};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::public::item;
use crate::queries::Matching;
use crate::requests::{number, reject};

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
    /// The public facts of the change, never the event's full data: the
    /// vacancy's id and, by type, its published details, employer and
    /// status (`VacancyPublished`); the changed fields and open headcount
    /// (`VacancyUpdated`); the close reason (`VacancyClosed`); the hire's
    /// date, open headcount and status (`VacancyPlacementRecorded`, without
    /// the referral or the job seeker); the status (`VacancyFilled`).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// The position in the query parameter or header `name`, or a problem.
fn position_parameter(
    validator: &mut Validator,
    name: &'static str,
    text: Option<&str>,
) -> Option<Position> {
    let text = text?;
    let position = parse_position(text);
    if position.is_none() {
        reject(
            validator,
            name,
            InputError::FeedPosition,
            &format!("{name} must be the position of a feed item, such as 1234-1234."),
        );
    }
    position
}

/// What a feed request asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedRequest {
    /// Resume after this position (from `after` or `Last-Event-ID`).
    pub after: Option<Position>,
    /// Which of the two named it, for problems.
    pub named_by: &'static str,
    /// Items of a JSON-lines page.
    pub limit: usize,
    /// Server-sent events, following the store live.
    pub live: bool,
}

impl FeedRequest {
    /// Reads `?after=&limit=`, `Accept` and `Last-Event-ID`.
    pub fn parse(params: &FeedParams, request: &HttpRequest) -> labex_app::Result<Self> {
        let mut validator = Validator::new();
        let live = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|accept| accept.contains("text/event-stream"));
        let after = position_parameter(&mut validator, "after", params.after.as_deref());
        // An empty `Last-Event-ID` is the same as none (an `EventSource`
        // that has seen no id sends none).
        let last_event_id = match request.headers().get("last-event-id") {
            None => None,
            Some(value) => match value.to_str() {
                Ok(text) if text.trim().is_empty() => None,
                Ok(text) => position_parameter(&mut validator, "Last-Event-ID", Some(text)),
                Err(_) => position_parameter(&mut validator, "Last-Event-ID", Some("")),
            },
        };
        // An `EventSource` reconnects to the URL it was opened with,
        // `after` and all, and names the last event it saw in
        // `Last-Event-ID`: that header is where to go on, not `after`. A
        // page of JSON lines is resumed by `after`, the header only
        // standing in when `after` is absent.
        let from_header = last_event_id.is_some() && (live || after.is_none());
        let (after, named_by) = if from_header {
            (last_event_id, "Last-Event-ID")
        } else {
            (after, "after")
        };
        let limit = number(
            &mut validator,
            "limit",
            params.limit.as_deref(),
            MAX_FEED_PAGE,
        )
        .unwrap_or(100)
        .max(1);
        validator.finish_query(|| {
            Some(Self {
                after,
                named_by,
                limit,
                live,
            })
        })
    }
}

fn filter() -> SubscriptionFilter {
    SubscriptionFilter::on_stream_name().add_prefix("vacancy-")
}

impl Matching {
    /// Up to `limit` items after `after`, and the position to continue
    /// from; anyone may read the feed.
    pub async fn feed_page(
        &self,
        request: FeedRequest,
    ) -> labex_app::Result<(Vec<FeedItem>, Option<Position>)> {
        let client = self.feed.client();
        if let Some(position) = request.after {
            check_position(client, request.named_by, position).await?;
        }
        let after = request.after;
        let start = after.map_or(StreamPosition::Start, StreamPosition::Position);
        let options = ReadAllOptions::default()
            .position(start)
            .filter(filter())
            .max_count(request.limit + 1);
        let mut read = client.read_all(&options).await.map_err(unavailable)?;
        let mut items = Vec::with_capacity(request.limit);
        let mut last_read = None;
        while items.len() < request.limit {
            let Some(resolved) = read.next().await.map_err(unavailable)? else {
                break;
            };
            let recorded = resolved.get_original_event();
            if Some(recorded.position) == after {
                continue;
            }
            last_read = Some(recorded.position);
            let stored = StoredEvent::from_recorded(recorded).map_err(Error::internal)?;
            if let Some(item) = item(&stored) {
                items.push(item);
            }
        }
        reads::finish(&mut read).await;
        Ok((items, last_read.or(after)))
    }

    /// Server-sent events after `request.after`, following the store live,
    /// for a reader at `address` if the limits admit it.
    pub async fn live_feed(
        &self,
        address: Option<IpAddr>,
        request: FeedRequest,
    ) -> labex_app::Result<impl Stream<Item = Result<Bytes, actix_web::Error>> + use<>> {
        let ticket = self.feed.admit(address)?;
        let client = self.feed.client();
        if let Some(position) = request.after {
            check_position(client, request.named_by, position).await?;
        }
        let (queue, body) = self.feed.queue(ticket);
        tokio::spawn(follow(client.clone(), request.after, queue));
        Ok(body)
    }
}

fn unavailable(error: kurrentdb::Error) -> Error {
    Error::Unavailable {
        cause: error.to_string(),
    }
}

/// A 400 unless an event is at `position` in `$all`: one that names no
/// event (between two, or beyond the last) was never a feed item's, and
/// reading or subscribing from it would silently start somewhere else.
async fn check_position(
    client: &Client,
    name: &'static str,
    position: Position,
) -> labex_app::Result<()> {
    let options = ReadAllOptions::default()
        .position(StreamPosition::Position(position))
        .max_count(1);
    let read = client.read_all(&options).await.map_err(unavailable)?;
    let found = reads::first_event(read)
        .await
        .map_err(unavailable)?
        .map(|resolved| resolved.get_original_event().position);
    if found == Some(position) {
        return Ok(());
    }
    Err(Error::InvalidQuery(vec![FieldError::with_sentence(
        name,
        InputError::FeedPosition,
        format!(
            "{name} {} is not the position of a feed item; resume from one the feed gave, or from the start.",
            format_position(position)
        ),
    )]))
}

/// The vacancy change feed (public).
#[utoipa::path(
    get,
    path = "/v1/vacancies/feed",
    tag = "matching",
    params(
        ("after" = Option<String>, Query, description = "the position of the last item seen; from the start when absent"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 1000, description = "items of a JSON-lines page, at most 1,000 (0 is read as 1)"),
        ("Last-Event-ID" = Option<String>, Header, description = "server-sent events: resume after this"),
    ),
    responses(
        (status = 200, description = "application/x-ndjson: one FeedItem per line, the next `after` in the Labex-Feed-Next header; text/event-stream: live events, each with its position as id; a reader that falls too far behind gets a last `lagged` event naming where to resume, and is disconnected", content((FeedItem = "application/x-ndjson"), (String = "text/event-stream"))),
        (status = 400, description = "a bad position or limit", body = labex_web::Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many live feeds open, in all or from the caller's address", body = labex_web::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn feed(
    app: web::Data<Matching>,
    _caller: MaybeCaller,
    request: HttpRequest,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let wanted = FeedRequest::parse(&params, &request)?;
    if wanted.live {
        let address = request.peer_addr().map(|peer| peer.ip());
        let events = app.live_feed(address, wanted).await?;
        // The connection ends with the stream (a reader cut off reconnects
        // with Last-Event-ID), rather than idling for another request.
        return Ok(HttpResponse::Ok()
            .content_type("text/event-stream")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .force_close()
            .streaming(events));
    }
    let (items, next) = app.feed_page(wanted).await?;
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

/// Follows the subscription from `after` into `queue` until the reader
/// goes away, falls behind for longer than the limits' patience (then its
/// last event says where to resume), or the subscription ends. A comment
/// goes out every keep-alive period when nothing else did. (A reader
/// catching up from far back is not cut off for reading slower than the
/// store: the history waits for it.)
async fn follow(client: Client, after: Option<Position>, mut queue: FeedQueue) {
    let mut quiet = tokio::time::interval(queue.keepalive());
    quiet.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    quiet.tick().await;
    let start = after.map_or(StreamPosition::Start, StreamPosition::Position);
    let options = SubscribeToAllOptions::default()
        .position(start)
        .filter(filter());
    let mut subscription = client.subscribe_to_all(&options).await;
    loop {
        let next = tokio::select! {
            () = queue.closed() => return,
            _ = quiet.tick() => None,
            next = subscription.next_subscription_event() => Some(next),
        };
        let (text, position) = match next {
            None => (": keep-alive\n\n".to_owned(), None),
            Some(Err(error)) => {
                tracing::warn!(error = %error, "vacancy feed subscription ended");
                let message = "event: error\ndata: {\"detail\": \"the event store subscription ended; reconnect with Last-Event-ID\"}\n\n";
                queue.end(Bytes::from_static(message.as_bytes()));
                return;
            }
            Some(Ok(event)) => {
                quiet.reset();
                match event {
                    SubscriptionEvent::EventAppeared(resolved) => {
                        let recorded = resolved.get_original_event();
                        if Some(recorded.position) == after {
                            continue;
                        }
                        let stored = match StoredEvent::from_recorded(recorded) {
                            Ok(stored) => stored,
                            Err(error) => {
                                tracing::error!(error = %error, "a vacancy event cannot be read");
                                continue;
                            }
                        };
                        let Some(item) = item(&stored) else {
                            continue;
                        };
                        let data = serde_json::to_string(&item).unwrap_or_default();
                        (
                            format!(
                                "id: {}\nevent: {}\ndata: {data}\n\n",
                                item.position, item.event_type
                            ),
                            Some(recorded.position),
                        )
                    }
                    SubscriptionEvent::Checkpoint(position) => (
                        format!(": checkpoint {}\n\n", format_position(position)),
                        None,
                    ),
                    SubscriptionEvent::CaughtUp(_) => (": caught up\n\n".to_owned(), None),
                    _ => continue,
                }
            }
        };
        match queue.send(Bytes::from(text), position).await {
            Sent::Queued => {}
            Sent::Gone => return,
            Sent::Behind => return queue.lag(after),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// A position the feed gives reads back as itself.
        #[test]
        fn a_position_given_reads_back(commit in any::<u64>(), back in any::<u64>()) {
            let position = Position { commit, prepare: commit.saturating_sub(back) };
            prop_assert_eq!(parse_position(&format_position(position)), Some(position));
        }

        /// Any text as a position (`after`, `Last-Event-ID`) is one the
        /// store could have given, or none; never a panic, never a
        /// position prepared after its commit.
        #[test]
        fn any_text_is_a_position_or_none(text in any::<String>()) {
            if let Some(position) = parse_position(&text) {
                prop_assert!(position.prepare <= position.commit);
            }
        }

        /// Text shaped like a position, prepared after its commit, is
        /// refused.
        #[test]
        fn a_prepare_after_its_commit_is_refused(commit in 0_u64..u64::MAX, ahead in 1_u64..1_000) {
            let text = format!("{commit}-{}", commit.saturating_add(ahead));
            prop_assert_eq!(parse_position(&text), None);
        }
    }
}
