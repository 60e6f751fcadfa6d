//! `GET /v1/vacancies/feed`: every published, changed, closed, placed and
//! filled vacancy in `$all` order, resumable from a position — a page of
//! JSON lines, or, for `Accept: text/event-stream`, a live stream of
//! server-sent events that follows new events as they are written.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use std::collections::BTreeSet;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use futures::stream::{self, Stream};
use kurrentdb::{
    Client, Position, ReadAllOptions, StreamPosition, SubscribeToAllOptions, SubscriptionEvent,
    SubscriptionFilter,
};
use labex_domain::Event;
use labex_domain::vacancy::CloseReason;
use labex_domain::vacancy::{
    VacancyChanges, VacancyClosed, VacancyDetails, VacancyEvent, VacancyFilled,
    VacancyPlacementRecorded, VacancyPublished, VacancyStatus, VacancyUpdated,
};
use labex_domain::value::{JobSeekerCategory, SalaryRange};
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
    /// The public facts of the change, never the event's full data: the
    /// vacancy's id and, by type, its published details, employer and
    /// status (`VacancyPublished`); the changed fields and open headcount
    /// (`VacancyUpdated`); the close reason (`VacancyClosed`); the hire's
    /// date, open headcount and status (`VacancyPlacementRecorded`, without
    /// the referral or the job seeker); the status (`VacancyFilled`).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// The text form of a position.
pub fn format_position(position: Position) -> String {
    format!("{}-{}", position.commit, position.prepare)
}

fn parse_position(text: &str) -> Option<Position> {
    let (commit, prepare) = text.trim().split_once('-')?;
    let position = Position {
        commit: commit.parse().ok()?,
        prepare: prepare.parse().ok()?,
    };
    // No event is prepared after it is committed.
    (position.prepare <= position.commit).then_some(position)
}

/// The position in the query parameter or header `name`, or a problem.
fn position_parameter(problems: &mut Problems, name: &str, text: Option<&str>) -> Option<Position> {
    let text = text?;
    let position = parse_position(text);
    if position.is_none() {
        problems.add(
            name,
            labex_web::InputError::FeedPosition,
            &format!("{name} must be the position of a feed item, such as 1234-1234."),
        );
    }
    position
}

/// A 400 unless an event is at `position` in `$all`: one that names no
/// event (between two, or beyond the last) was never a feed item's, and
/// reading or subscribing from it would silently start somewhere else.
async fn check_position(client: &Client, name: &str, position: Position) -> Result<(), ApiError> {
    let options = ReadAllOptions::default()
        .position(StreamPosition::Position(position))
        .max_count(1);
    let mut read = client
        .read_all(&options)
        .await
        .map_err(|error| ApiError::store_unavailable(&error))?;
    let found = read
        .next()
        .await
        .map_err(|error| ApiError::store_unavailable(&error))?
        .map(|resolved| resolved.get_original_event().position);
    if found == Some(position) {
        return Ok(());
    }
    let mut problems = Problems::default();
    problems.add(
        name,
        labex_web::InputError::FeedPosition,
        &format!(
            "{name} {} is not the position of a feed item; resume from one the feed gave, or from the start.",
            format_position(position)
        ),
    );
    problems.finish(())
}

fn filter() -> SubscriptionFilter {
    SubscriptionFilter::on_stream_name().add_prefix("vacancy-")
}

/// The feed item of `stored`, or `None` when it is not an event the public
/// feed shows.
fn item(stored: &StoredEvent) -> Option<FeedItem> {
    let (event_type, data) = public_view(&stored.event)?;
    let data = match serde_json::to_value(&data) {
        Ok(data) => data,
        Err(error) => {
            tracing::error!(error = %error, "a vacancy feed item cannot be written");
            return None;
        }
    };
    Some(FeedItem {
        position: format_position(stored.position),
        event_type: event_type.to_owned(),
        vacancy_id: stored
            .stream
            .strip_prefix("vacancy-")
            .unwrap_or(&stored.stream)
            .to_owned(),
        revision: stored.revision,
        recorded_at: stored
            .created
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        data,
    })
}

// ------------------------------------------------------------ public view

/// What the feed tells anyone about a vacancy's published details.
#[derive(Debug, Serialize)]
struct PublicDetails {
    title: String,
    description: String,
    occupation: String,
    region: String,
    salary_min_yuan: u32,
    salary_max_yuan: u32,
    headcount: u32,
    education: String,
    experience_years: u8,
    welcomes: Vec<String>,
    public_welfare: bool,
    closes_at: Option<String>,
}

/// What changed in a `VacancyUpdated`; absent fields did not change.
#[derive(Debug, Serialize)]
struct PublicChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    occupation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    salary_min_yuan: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    salary_max_yuan: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headcount: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    education: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    experience_years: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    welcomes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_welfare: Option<bool>,
    /// `Some(None)`: open until closed (serialised as `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    closes_at: Option<Option<String>>,
}

/// The public data of one feed item, per event type. Every field is
/// written out here on purpose: a field added to an event, or a new event
/// type, reaches anonymous callers only once it is mapped below.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum PublicData {
    Published {
        vacancy_id: String,
        employer_id: String,
        details: PublicDetails,
        published_at: String,
        status: &'static str,
        open_headcount: u32,
    },
    Updated {
        vacancy_id: String,
        changes: PublicChanges,
        #[serde(skip_serializing_if = "Option::is_none")]
        open_headcount: Option<u32>,
    },
    /// Not the staff's free-text note, which may name people.
    Closed {
        vacancy_id: String,
        reason: CloseReason,
        status: &'static str,
    },
    /// Not the referral or the job seeker hired.
    PlacementRecorded {
        vacancy_id: String,
        hired_on: NaiveDate,
        open_headcount: u32,
        status: &'static str,
    },
    Filled {
        vacancy_id: String,
        open_headcount: u32,
        status: &'static str,
    },
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn welcomes(categories: &BTreeSet<JobSeekerCategory>) -> Vec<String> {
    categories
        .iter()
        .map(|category| category.as_str().to_owned())
        .collect()
}

fn public_details(details: &VacancyDetails) -> PublicDetails {
    PublicDetails {
        title: details.title.as_str().to_owned(),
        description: details.description.as_str().to_owned(),
        occupation: details.occupation.as_str().to_owned(),
        region: details.region.as_str().to_owned(),
        salary_min_yuan: details.salary.min_yuan(),
        salary_max_yuan: details.salary.max_yuan(),
        headcount: details.headcount.get(),
        education: details.education.as_str().to_owned(),
        experience_years: details.experience_years.get(),
        welcomes: welcomes(&details.welcomes),
        public_welfare: details.public_welfare,
        closes_at: details.closes_at.map(rfc3339),
    }
}

fn public_changes(changes: &VacancyChanges) -> PublicChanges {
    PublicChanges {
        title: changes
            .title
            .as_ref()
            .map(|title| title.as_str().to_owned()),
        description: changes
            .description
            .as_ref()
            .map(|description| description.as_str().to_owned()),
        occupation: changes
            .occupation
            .as_ref()
            .map(|occupation| occupation.as_str().to_owned()),
        region: changes
            .region
            .as_ref()
            .map(|region| region.as_str().to_owned()),
        salary_min_yuan: changes.salary.as_ref().map(SalaryRange::min_yuan),
        salary_max_yuan: changes.salary.as_ref().map(SalaryRange::max_yuan),
        headcount: changes.headcount.map(|headcount| headcount.get()),
        education: changes
            .education
            .map(|education| education.as_str().to_owned()),
        experience_years: changes.experience_years.map(|years| years.get()),
        welcomes: changes.welcomes.as_ref().map(welcomes),
        public_welfare: changes.public_welfare,
        closes_at: changes.closes_at.map(|closes_at| closes_at.map(rfc3339)),
    }
}

/// The event type and public data of an event the feed shows, or `None`
/// for any event that is not a vacancy's (the feed reads only `vacancy-`
/// streams, but nothing else may pass even if one turned up there).
fn public_view(event: &Event) -> Option<(&'static str, PublicData)> {
    let Event::Vacancy(event) = event else {
        return None;
    };
    // No wildcard arm: a new vacancy event does not compile until it is
    // given a public view here.
    let data = match event {
        VacancyEvent::Published(VacancyPublished {
            vacancy_id,
            employer_id,
            details,
            published_at,
        }) => PublicData::Published {
            vacancy_id: vacancy_id.to_string(),
            employer_id: employer_id.to_string(),
            details: public_details(details),
            published_at: rfc3339(*published_at),
            status: VacancyStatus::Open.as_str(),
            open_headcount: details.headcount.get(),
        },
        VacancyEvent::Updated(VacancyUpdated {
            vacancy_id,
            changes,
            open_headcount,
        }) => PublicData::Updated {
            vacancy_id: vacancy_id.to_string(),
            changes: public_changes(changes),
            open_headcount: *open_headcount,
        },
        VacancyEvent::Closed(VacancyClosed {
            vacancy_id,
            reason,
            note: _,
        }) => PublicData::Closed {
            vacancy_id: vacancy_id.to_string(),
            reason: *reason,
            status: VacancyStatus::Closed.as_str(),
        },
        VacancyEvent::PlacementRecorded(VacancyPlacementRecorded {
            vacancy_id,
            referral_id: _,
            jobseeker_id: _,
            hired_on,
            open_headcount,
        }) => PublicData::PlacementRecorded {
            vacancy_id: vacancy_id.to_string(),
            hired_on: *hired_on,
            open_headcount: *open_headcount,
            status: if *open_headcount == 0 {
                VacancyStatus::Filled.as_str()
            } else {
                VacancyStatus::Open.as_str()
            },
        },
        VacancyEvent::Filled(VacancyFilled { vacancy_id }) => PublicData::Filled {
            vacancy_id: vacancy_id.to_string(),
            open_headcount: 0,
            status: VacancyStatus::Filled.as_str(),
        },
    };
    let event_type = match event {
        VacancyEvent::Published(_) => "VacancyPublished",
        VacancyEvent::Updated(_) => "VacancyUpdated",
        VacancyEvent::Closed(_) => "VacancyClosed",
        VacancyEvent::PlacementRecorded(_) => "VacancyPlacementRecorded",
        VacancyEvent::Filled(_) => "VacancyFilled",
    };
    Some((event_type, data))
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
    let wants_events = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"));
    let after = position_parameter(&mut problems, "after", params.after.as_deref());
    // An empty `Last-Event-ID` is the same as none (an `EventSource` that
    // has seen no id sends none).
    let last_event_id = match request.headers().get("last-event-id") {
        None => None,
        Some(value) => match value.to_str() {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => position_parameter(&mut problems, "Last-Event-ID", Some(text)),
            Err(_) => position_parameter(&mut problems, "Last-Event-ID", Some("")),
        },
    };
    // An `EventSource` reconnects to the URL it was opened with, `after`
    // and all, and names the last event it saw in `Last-Event-ID`: that
    // header is where to go on, not `after`. A page of JSON lines is
    // resumed by `after`, the header only standing in when `after` is
    // absent.
    let from_header = last_event_id.is_some() && (wants_events || after.is_none());
    let (after, name) = if from_header {
        (last_event_id, "Last-Event-ID")
    } else {
        (after, "after")
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
    let client = state.repository.client().clone();
    if let Some(position) = after {
        check_position(&client, name, position).await?;
    }
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
    let mut last_read = None;
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
        last_read = Some(recorded.position);
        let stored =
            StoredEvent::from_recorded(recorded).map_err(|error| ApiError::internal(&error))?;
        if let Some(item) = item(&stored) {
            items.push(item);
        }
    }
    Ok((items, last_read.or(after)))
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
    stream::unfold(state, move |state| async move {
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
                    let recorded = resolved.get_original_event();
                    if Some(recorded.position) == after {
                        continue;
                    }
                    match StoredEvent::from_recorded(recorded) {
                        Ok(stored) => {
                            let Some(item) = item(&stored) else {
                                continue;
                            };
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
