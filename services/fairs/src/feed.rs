//! `GET /v1/fairs/{id}/feed`: the live feed of a fair's vacancies, as
//! server-sent events, for an online fair's page (网上招聘会). It opens
//! with every vacancy the exhibitors bring as it stands (`vacancy`), then
//! follows the store: a vacancy of the fair that changes is sent again as
//! it then stands, a new exhibitor's vacancies are sent as they join, an
//! exhibitor that leaves is `exhibitor_left`, and an amended or cancelled
//! fair is `fair_amended` or `fair_cancelled`. Each event's id is its
//! position in the store: a client that reconnects with `Last-Event-ID`
//! goes on from there (without the opening list). Registrations and
//! visits are not in it. A comment every keep-alive period keeps idle
//! connections open. Like every live feed it is admitted within the
//! process's bounds and read through the feeds' own store client
//! ([`labex_web::feeds`]); a reader that falls too far behind gets a last
//! `lagged` event naming where to resume, and is disconnected.

use std::collections::BTreeSet;

use bytes::Bytes;
use chrono::Utc;
use labex_domain::fair::{Fair, FairEvent};
use labex_domain::vacancy::Vacancy;
use labex_domain::{Event, FairId, VacancyId};
use labex_employers::VacancyView;
use labex_eventsourcing::kurrentdb::{
    Client, Position, ReadAllOptions, StreamPosition, SubscribeToAllOptions, SubscriptionEvent,
    SubscriptionFilter,
};
use labex_eventsourcing::{Repository, StoredEvent, reads};
use labex_web::ApiError;
use labex_web::feeds::{FeedGate, FeedQueue, FeedTicket, Sent, format_position};
use serde::Serialize;

/// The stream of server-sent events of `fair` for a reader `ticket`
/// admitted, from `resume` (a `Last-Event-ID`) or, without one, from now
/// after the opening list. A reader that falls too far behind is sent a
/// last `lagged` event naming where to resume.
pub async fn follow(
    repository: Repository,
    feeds: &FeedGate,
    ticket: FeedTicket,
    fair: Fair,
    resume: Option<Position>,
) -> Result<impl futures::Stream<Item = Result<Bytes, actix_web::Error>> + use<>, ApiError> {
    let client = feeds.client().clone();
    let start = match resume {
        Some(position) => Some(position),
        None => last_position(&client).await?,
    };
    let (queue, body) = feeds.queue(ticket);
    tokio::spawn(async move {
        let mut follower = Follower {
            repository,
            client,
            fair_id: fair.id,
            vacancies: fair.vacancy_ids(),
            queue,
        };
        match follower.run(resume.is_none(), start).await {
            Err(FeedEnd::Behind) => follower.queue.lag(start),
            Err(error) => tracing::debug!(fair = %fair.id, error = %error, "a fair feed ended"),
            Ok(()) => {}
        }
    });
    Ok(body)
}

/// Where `$all` ends now (`None` for an empty store).
async fn last_position(client: &Client) -> Result<Option<Position>, ApiError> {
    reads::last_position(client, ReadAllOptions::default())
        .await
        .map_err(|error| ApiError::store_unavailable(&error))
}

/// Why a feed stopped.
#[derive(Debug, thiserror::Error)]
enum FeedEnd {
    #[error("the client went away")]
    Gone,
    #[error("the client read nothing for too long")]
    Behind,
    #[error("the store: {0}")]
    Store(String),
}

struct Follower {
    repository: Repository,
    /// The feeds' own store client, which the subscription reads.
    client: Client,
    fair_id: FairId,
    vacancies: BTreeSet<VacancyId>,
    queue: FeedQueue,
}

/// A vacancy as the feed sends it.
#[derive(Serialize)]
struct VacancyItem<'a> {
    fair_id: String,
    #[serde(flatten)]
    vacancy: &'a VacancyView,
}

impl Follower {
    async fn run(&mut self, opening: bool, start: Option<Position>) -> Result<(), FeedEnd> {
        if opening {
            let list: Vec<VacancyId> = self.vacancies.iter().copied().collect();
            for vacancy in list {
                self.send_vacancy(None, vacancy).await?;
            }
            self.send(
                ": the fair's vacancies as they stand were sent\n\n".to_owned(),
                None,
            )
            .await?;
        }
        let start = start.map_or(StreamPosition::Start, StreamPosition::Position);
        let filter = SubscriptionFilter::on_stream_name()
            .add_prefix("vacancy-")
            .add_prefix(self.fair_id.stream_name());
        let options = SubscribeToAllOptions::default()
            .position(start)
            .filter(filter);
        let mut subscription = self.client.subscribe_to_all(&options).await;
        let mut heartbeat = tokio::time::interval(self.queue.keepalive());
        heartbeat.tick().await;
        loop {
            let event = tokio::select! {
                () = self.queue.closed() => return Err(FeedEnd::Gone),
                event = subscription.next_subscription_event() => event,
                _ = heartbeat.tick() => {
                    self.send(": keep-alive\n\n".to_owned(), None).await?;
                    continue;
                }
            };
            let event = event.map_err(|error| FeedEnd::Store(error.to_string()))?;
            let SubscriptionEvent::EventAppeared(resolved) = event else {
                continue;
            };
            let recorded = resolved.get_original_event();
            let stored = match StoredEvent::from_recorded(recorded) {
                Ok(stored) => stored,
                Err(error) => {
                    tracing::error!(error = %error, "an event of a fair feed cannot be read");
                    continue;
                }
            };
            self.on_event(&stored).await?;
        }
    }

    async fn on_event(&mut self, stored: &StoredEvent) -> Result<(), FeedEnd> {
        let position = Some(stored.position);
        match &stored.event {
            Event::Vacancy(event) => {
                let vacancy = event_vacancy(event);
                if self.vacancies.contains(&vacancy) {
                    self.send_vacancy(position, vacancy).await?;
                }
            }
            Event::Fair(FairEvent::ExhibitorJoined(joined)) if joined.fair_id == self.fair_id => {
                for vacancy in &joined.vacancy_ids {
                    self.vacancies.insert(*vacancy);
                    self.send_vacancy(position, *vacancy).await?;
                }
            }
            Event::Fair(FairEvent::ExhibitorVacanciesAdded(added))
                if added.fair_id == self.fair_id =>
            {
                for vacancy in &added.vacancy_ids {
                    self.vacancies.insert(*vacancy);
                    self.send_vacancy(position, *vacancy).await?;
                }
            }
            Event::Fair(FairEvent::ExhibitorLeft(left)) if left.fair_id == self.fair_id => {
                let fair = self.repository.load::<Fair>(self.fair_id).await;
                if let Ok(loaded) = fair
                    && let Some(fair) = loaded.state
                {
                    self.vacancies = fair.vacancy_ids();
                }
                let data = serde_json::json!({
                    "fair_id": self.fair_id.to_string(),
                    "employer_id": left.employer_id.to_string(),
                });
                self.send_event(position, "exhibitor_left", &data).await?;
            }
            Event::Fair(FairEvent::Amended(amended)) if amended.fair_id == self.fair_id => {
                let data = serde_json::json!({
                    "fair_id": self.fair_id.to_string(),
                    "details": crate::views::DetailsView::new(&amended.details),
                });
                self.send_event(position, "fair_amended", &data).await?;
            }
            Event::Fair(FairEvent::Cancelled(cancelled)) if cancelled.fair_id == self.fair_id => {
                let data = serde_json::json!({
                    "fair_id": self.fair_id.to_string(),
                    "reason": cancelled.reason.as_ref().map(|reason| reason.as_str()),
                });
                self.send_event(position, "fair_cancelled", &data).await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn send_vacancy(
        &mut self,
        position: Option<Position>,
        vacancy: VacancyId,
    ) -> Result<(), FeedEnd> {
        let (state, revision) = match self.repository.get::<Vacancy>(vacancy).await {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!(%vacancy, error = %error, "a fair's vacancy cannot be loaded for its feed");
                return Ok(());
            }
        };
        let view = VacancyView::new(&state, revision, Utc::now());
        let item = VacancyItem {
            fair_id: self.fair_id.to_string(),
            vacancy: &view,
        };
        self.send_event(position, "vacancy", &item).await
    }

    async fn send_event(
        &mut self,
        position: Option<Position>,
        name: &str,
        data: &impl Serialize,
    ) -> Result<(), FeedEnd> {
        let data = serde_json::to_string(data).unwrap_or_default();
        let id = position.map(|position| format!("id: {}\n", format_position(position)));
        self.send(
            format!("{}event: {name}\ndata: {data}\n\n", id.unwrap_or_default()),
            position,
        )
        .await
    }

    /// Queues `text` for the reader (an event at `position`, or a
    /// comment); a reader that takes nothing for the feeds' patience while
    /// its queue is full has fallen behind.
    async fn send(&mut self, text: String, position: Option<Position>) -> Result<(), FeedEnd> {
        match self.queue.send(Bytes::from(text), position).await {
            Sent::Queued => Ok(()),
            Sent::Gone => Err(FeedEnd::Gone),
            Sent::Behind => Err(FeedEnd::Behind),
        }
    }
}

fn event_vacancy(event: &labex_domain::vacancy::VacancyEvent) -> VacancyId {
    use labex_domain::vacancy::VacancyEvent;
    match event {
        VacancyEvent::Published(published) => published.vacancy_id,
        VacancyEvent::Updated(updated) => updated.vacancy_id,
        VacancyEvent::Closed(closed) => closed.vacancy_id,
        VacancyEvent::PlacementRecorded(placed) => placed.vacancy_id,
        VacancyEvent::Filled(filled) => filled.vacancy_id,
    }
}
