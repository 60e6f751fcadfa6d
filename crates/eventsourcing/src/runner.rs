//! The subscription loop shared by projections and process managers:
//! subscribe to `$all` with a server-side filter after the stored
//! checkpoint, hand events over in batches, resubscribe after a drop.
//!
//! Two tasks per runner. A *pump* owns the subscription and forwards what
//! it yields into a bounded channel (so a slow consumer slows the pump,
//! never the server). The *worker* takes whatever is waiting, up to a
//! batch, and hands it to the consumer together with the position to
//! checkpoint; only once the consumer has stored both does it publish the
//! new position. On a drop, the pump ends, the worker drops what it had not
//! handed over, and both start again from the stored checkpoint.

use std::future::Future;
use std::time::{Duration, Instant};

use kurrentdb::{
    Client, Position, ReadAllOptions, StreamPosition, SubscribeToAllOptions, SubscriptionEvent,
    SubscriptionFilter,
};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::error::{ProjectionError, ReadError};
use crate::reads;
use crate::stored::StoredEvent;

/// Which events a projection or process manager sees; the store applies it
/// (a server-side filter), and the runner checks it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    /// Events of exactly these types.
    EventTypes(Vec<String>),
    /// Events of streams whose names start with one of these prefixes
    /// (`vacancy-`).
    StreamPrefixes(Vec<String>),
}

impl EventFilter {
    /// Events of exactly these types.
    pub fn event_types<T: Into<String>>(types: impl IntoIterator<Item = T>) -> Self {
        Self::EventTypes(types.into_iter().map(Into::into).collect())
    }

    /// Events of streams starting with one of these prefixes.
    pub fn stream_prefixes<T: Into<String>>(prefixes: impl IntoIterator<Item = T>) -> Self {
        Self::StreamPrefixes(prefixes.into_iter().map(Into::into).collect())
    }

    /// Whether an event of `event_type` in `stream` passes. The store's
    /// own events (`$`-prefixed types, such as the `$streamDeleted` that
    /// KurrentDB writes into a tombstoned stream) never do.
    pub fn matches(&self, stream: &str, event_type: &str) -> bool {
        if event_type.starts_with('$') {
            return false;
        }
        match self {
            Self::EventTypes(types) => types.iter().any(|known| known == event_type),
            Self::StreamPrefixes(prefixes) => {
                prefixes.iter().any(|prefix| stream.starts_with(prefix))
            }
        }
    }

    /// The filter as the store takes it: exact types as an anchored
    /// alternation, prefixes as prefixes.
    fn subscription_filter(&self) -> SubscriptionFilter {
        match self {
            Self::EventTypes(types) => {
                let alternatives = types
                    .iter()
                    .map(|event_type| escape_regex(event_type))
                    .collect::<Vec<_>>()
                    .join("|");
                SubscriptionFilter::on_event_type().regex(format!("^(?:{alternatives})$"))
            }
            Self::StreamPrefixes(prefixes) => prefixes
                .iter()
                .fold(SubscriptionFilter::on_stream_name(), |filter, prefix| {
                    filter.add_prefix(prefix)
                }),
        }
    }
}

fn escape_regex(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if !character.is_alphanumeric() && character != '_' {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// How a runner batches and how long it waits before resubscribing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunnerOptions {
    /// The most events applied in one transaction.
    pub batch_size: usize,
    /// The first wait after a dropped subscription (doubled per failure,
    /// up to `max_backoff`).
    pub initial_backoff: Duration,
    /// The longest wait between resubscriptions.
    pub max_backoff: Duration,
    /// How often a checkpoint past filtered-out events only is stored.
    /// The store sends one every few dozen events looked at, for every
    /// subscription; storing each would be a transaction per runner per
    /// few dozen events written anywhere. In between, the progress moves
    /// in memory only; a restart then looks again at no more than the
    /// filtered-out events of this interval. Zero stores every one (for
    /// a consumer that keeps its own pace, such as the search index).
    pub checkpoint_interval: Duration,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        Self {
            batch_size: 256,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            checkpoint_interval: Duration::from_secs(1),
        }
    }
}

/// Where a runner stands, as it publishes it after every batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// The position in `$all` up to which every event the runner wants is
    /// in the read model (or, for a process manager, reacted to). It is
    /// stored with the events' batch; past filtered-out events only it
    /// may be ahead of what is stored by up to
    /// [`RunnerOptions::checkpoint_interval`].
    pub checkpoint: Option<Position>,
    /// Whether the subscription has reached the head of `$all` and is
    /// live.
    pub live: bool,
    /// How the runner is doing.
    pub state: RunState,
    /// Events handled since this runner started.
    pub handled: u64,
    /// Subscriptions made since this runner started (more than one means
    /// it resubscribed after drops).
    pub subscriptions: u64,
}

/// Whether a runner runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunState {
    /// Subscribed, or resubscribing.
    #[default]
    Running,
    /// Stopped when asked.
    Stopped,
    /// Stopped by an error it cannot get past (see the runner's `stop`).
    Failed,
}

/// How far a runner is behind `$all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lag {
    /// Its stored checkpoint.
    pub checkpoint: Option<Position>,
    /// The position of the last event in `$all`.
    pub head: Option<Position>,
    /// Events that pass its filter and lie after its checkpoint, counted up
    /// to [`LAG_COUNT_LIMIT`].
    pub pending_events: u64,
}

impl Lag {
    /// Whether nothing it should see is waiting.
    pub fn caught_up(&self) -> bool {
        self.pending_events == 0
    }
}

/// Lag is counted up to this many events.
pub const LAG_COUNT_LIMIT: u64 = 10_000;

/// What a runner drives: a projection into SQLite, a process manager, or
/// a read model kept elsewhere (a search index) that stores its checkpoint
/// atomically with its own data.
pub trait Consumer: Send + 'static {
    /// Its name, the key of its checkpoint.
    fn name(&self) -> &str;

    /// The events it wants.
    fn filter(&self) -> EventFilter;

    /// Prepares its storage and reads its stored checkpoint.
    fn checkpoint(
        &mut self,
    ) -> impl Future<Output = Result<Option<Position>, ProjectionError>> + Send;

    /// Handles `events` (possibly none) and stores `checkpoint` with them.
    fn handle(
        &mut self,
        events: Vec<StoredEvent>,
        checkpoint: Position,
    ) -> impl Future<Output = Result<(), ProjectionError>> + Send;
}

/// A running projection or process manager. Dropping it stops it after
/// the batch in hand.
pub struct ProjectionRunner {
    name: String,
    filter: EventFilter,
    client: Client,
    progress: watch::Receiver<Progress>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<Result<(), ProjectionError>>>,
}

impl ProjectionRunner {
    /// Starts `consumer` on a task of the current runtime: it is asked
    /// for its stored checkpoint, then handed batches of the events after
    /// it that pass its filter, each with the position to store with them.
    pub fn spawn<C: Consumer>(client: Client, consumer: C, options: RunnerOptions) -> Self {
        let name = consumer.name().to_owned();
        let filter = consumer.filter();
        let (progress_sender, progress) = watch::channel(Progress::default());
        let (stop, stop_receiver) = watch::channel(false);
        let worker = Worker {
            client: client.clone(),
            filter: filter.clone(),
            options,
            progress: progress_sender,
            stop: stop_receiver,
        };
        let task = tokio::spawn(worker.run(consumer));
        Self {
            name,
            filter,
            client,
            progress,
            stop,
            task: Some(task),
        }
    }

    /// The name of what it runs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where it stands now.
    pub fn progress(&self) -> Progress {
        *self.progress.borrow()
    }

    /// Waits until every event up to `position` that passes its filter has
    /// been handled and checkpointed (what a write's `$all` position needs
    /// before its read model answers), at most `timeout`.
    pub async fn wait_for(
        &self,
        position: Position,
        timeout: Duration,
    ) -> Result<(), ProjectionError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut progress = self.progress.clone();
        loop {
            let now = *progress.borrow_and_update();
            if now.state != RunState::Running {
                return Err(ProjectionError::Stopped {
                    projection: self.name.clone(),
                });
            }
            if now.checkpoint >= Some(position) {
                return Ok(());
            }
            // Nothing it should see between its checkpoint and `position`
            // (the events there were filtered out) counts as caught up.
            match self.next_relevant(now.checkpoint).await? {
                None => return Ok(()),
                Some(next) if next > position => return Ok(()),
                Some(_) => {}
            }
            // Poll now and then as well: a filtered-out tail moves no
            // checkpoint.
            let wake = tokio::time::Instant::now() + Duration::from_millis(50);
            tokio::select! {
                changed = progress.changed() => {
                    if changed.is_err() {
                        return Err(ProjectionError::Stopped { projection: self.name.clone() });
                    }
                }
                () = tokio::time::sleep_until(wake.min(deadline)) => {}
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ProjectionError::Timeout {
                    projection: self.name.clone(),
                    waited_ms: timeout.as_millis(),
                });
            }
        }
    }

    /// Waits until it has handled everything the store held when asked
    /// (nothing to wait for in an empty store), at most `timeout`.
    pub async fn catch_up(&self, timeout: Duration) -> Result<(), ProjectionError> {
        let head = reads::last_position(&self.client, ReadAllOptions::default()).await?;
        match head {
            Some(head) => self.wait_for(head, timeout).await,
            None => Ok(()),
        }
    }

    /// How far it is behind `$all`.
    pub async fn lag(&self) -> Result<Lag, ProjectionError> {
        let checkpoint = self.progress().checkpoint;
        let head = reads::last_position(&self.client, ReadAllOptions::default()).await?;
        let mut pending = self
            .read_relevant_after(checkpoint, LAG_COUNT_LIMIT as usize + 1)
            .await?;
        let mut pending_events = 0;
        while let Some(event) = pending.next().await? {
            if Some(event.get_original_event().position) > checkpoint {
                pending_events += 1;
                if pending_events >= LAG_COUNT_LIMIT {
                    break;
                }
            }
        }
        reads::finish(&mut pending).await;
        Ok(Lag {
            checkpoint,
            head,
            pending_events,
        })
    }

    /// Stops after the batch in hand and answers how it ended: `Ok` when it
    /// was running, the error that stopped it when it had failed.
    pub async fn stop(mut self) -> Result<(), ProjectionError> {
        self.stop.send_replace(true);
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        match task.await {
            Ok(outcome) => outcome,
            Err(error) => Err(ProjectionError::Worker(error.to_string())),
        }
    }

    /// The position of the first event after `after` that passes the
    /// filter, if any.
    async fn next_relevant(
        &self,
        after: Option<Position>,
    ) -> Result<Option<Position>, ProjectionError> {
        let mut read = self.read_relevant_after(after, 2).await?;
        let mut relevant = None;
        while let Some(event) = read.next().await? {
            let recorded = event.get_original_event();
            if Some(recorded.position) > after
                && self
                    .filter
                    .matches(recorded.stream_id(), &recorded.event_type)
            {
                relevant = Some(recorded.position);
                break;
            }
        }
        reads::finish(&mut read).await;
        Ok(relevant)
    }

    async fn read_relevant_after(
        &self,
        after: Option<Position>,
        count: usize,
    ) -> Result<kurrentdb::ReadStream, ProjectionError> {
        let start = after.map_or(StreamPosition::Start, StreamPosition::Position);
        let options = ReadAllOptions::default()
            .forwards()
            .position(start)
            .filter(self.filter.subscription_filter())
            .max_count(count);
        Ok(self.client.read_all(&options).await?)
    }
}

impl Drop for ProjectionRunner {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// What the pump forwards.
enum Message {
    Event(Box<StoredEvent>),
    /// Everything up to here was looked at (filtered out, or not ours).
    Checkpoint(Position),
    CaughtUp,
    FellBehind,
    Unreadable(ReadError),
    Dropped(kurrentdb::Error),
}

/// Why one subscription ended.
enum Ended {
    /// Asked to stop.
    Stopped,
    /// The subscription dropped; resubscribe.
    Dropped(ProjectionError),
}

struct Worker {
    client: Client,
    filter: EventFilter,
    options: RunnerOptions,
    progress: watch::Sender<Progress>,
    stop: watch::Receiver<bool>,
}

impl Worker {
    async fn run<C: Consumer>(mut self, mut consumer: C) -> Result<(), ProjectionError> {
        let name = consumer.name().to_owned();
        let mut backoff = self.options.initial_backoff;
        let outcome = loop {
            let checkpoint = match consumer.checkpoint().await {
                Ok(checkpoint) => checkpoint,
                Err(error) => break Err(error),
            };
            self.progress.send_modify(|progress| {
                progress.checkpoint = checkpoint;
                progress.live = false;
                progress.subscriptions += 1;
            });
            tracing::debug!(projection = %name, ?checkpoint, "subscribing to $all");
            let (sender, mut receiver) = mpsc::channel(self.options.batch_size.max(1) * 2);
            let pump = tokio::spawn(pump(
                self.client.clone(),
                self.filter.clone(),
                checkpoint,
                sender,
            ));
            let ended = self.consume(&mut consumer, &mut receiver, checkpoint).await;
            pump.abort();
            match ended {
                Ok(Ended::Stopped) => break Ok(()),
                Ok(Ended::Dropped(error)) => {
                    tracing::warn!(projection = %name, %error, backoff_ms = backoff.as_millis() as u64, "subscription dropped, resubscribing from the stored checkpoint");
                }
                Err(error) if error.is_transient() => {
                    tracing::warn!(projection = %name, %error, backoff_ms = backoff.as_millis() as u64, "handling failed for now, resubscribing from the stored checkpoint");
                }
                Err(error) => break Err(error),
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                _ = self.stop.wait_for(|stop| *stop) => break Ok(()),
            }
            backoff = (backoff * 2).min(self.options.max_backoff);
        };
        let state = match &outcome {
            Ok(()) => RunState::Stopped,
            Err(error) => {
                tracing::error!(projection = %name, %error, "projection stopped");
                RunState::Failed
            }
        };
        self.progress.send_modify(|progress| progress.state = state);
        outcome
    }

    /// Hands over batches until the subscription drops or a stop is asked.
    async fn consume<C: Consumer>(
        &mut self,
        consumer: &mut C,
        receiver: &mut mpsc::Receiver<Message>,
        mut checkpoint: Option<Position>,
    ) -> Result<Ended, ProjectionError> {
        let mut stored_at = Instant::now();
        let mut unstored = None;
        loop {
            let first = tokio::select! {
                biased;
                _ = self.stop.wait_for(|stop| *stop) => None,
                message = receiver.recv() => Some(message),
            };
            let first = match first {
                Some(Some(message)) => message,
                ending => {
                    store_unstored(consumer, unstored).await?;
                    return Ok(match ending {
                        None => Ended::Stopped,
                        Some(_) => Ended::Dropped(kurrentdb::Error::ConnectionClosed.into()),
                    });
                }
            };
            let mut batch = Vec::new();
            let mut position = None;
            let mut live = None;
            let mut dropped = None;
            let mut next = Some(first);
            while let Some(message) = next.take() {
                match message {
                    Message::Event(event) => {
                        // A resubscription may repeat the boundary event.
                        if Some(event.position) > checkpoint {
                            position = position.max(Some(event.position));
                            batch.push(*event);
                        }
                    }
                    Message::Checkpoint(at) => {
                        if Some(at) > checkpoint {
                            position = position.max(Some(at));
                        }
                    }
                    Message::CaughtUp => live = Some(true),
                    Message::FellBehind => live = Some(false),
                    Message::Unreadable(error) => return Err(error.into()),
                    Message::Dropped(error) => {
                        dropped = Some(error);
                        break;
                    }
                }
                if batch.len() < self.options.batch_size {
                    next = receiver.try_recv().ok();
                }
            }
            if let Some(at) = position {
                let handled = batch.len() as u64;
                if batch.is_empty() && stored_at.elapsed() < self.options.checkpoint_interval {
                    unstored = Some(at);
                } else {
                    consumer.handle(batch, at).await?;
                    stored_at = Instant::now();
                    unstored = None;
                }
                checkpoint = Some(at);
                self.progress.send_modify(|progress| {
                    progress.checkpoint = checkpoint;
                    progress.handled += handled;
                });
            }
            if let Some(live) = live {
                self.progress.send_modify(|progress| progress.live = live);
            }
            if let Some(error) = dropped {
                store_unstored(consumer, unstored).await?;
                return Ok(Ended::Dropped(error.into()));
            }
        }
    }
}

/// Stores a checkpoint that moved past filtered-out events only, before
/// the runner stops or resubscribes from what is stored.
async fn store_unstored<C: Consumer>(
    consumer: &mut C,
    unstored: Option<Position>,
) -> Result<(), ProjectionError> {
    match unstored {
        Some(at) => consumer.handle(Vec::new(), at).await,
        None => Ok(()),
    }
}

/// Forwards a filtered `$all` subscription after `start` into `sender`.
async fn pump(
    client: Client,
    filter: EventFilter,
    start: Option<Position>,
    sender: mpsc::Sender<Message>,
) {
    let options = SubscribeToAllOptions::default()
        .position(start.map_or(StreamPosition::Start, StreamPosition::Position))
        .filter(filter.subscription_filter());
    let mut subscription = client.subscribe_to_all(&options).await;
    loop {
        let message = match subscription.next_subscription_event().await {
            Ok(SubscriptionEvent::EventAppeared(resolved)) => {
                let recorded = resolved.get_original_event();
                if filter.matches(recorded.stream_id(), &recorded.event_type) {
                    match StoredEvent::from_recorded(recorded) {
                        Ok(event) => Message::Event(Box::new(event)),
                        Err(error) => Message::Unreadable(error),
                    }
                } else {
                    Message::Checkpoint(recorded.position)
                }
            }
            Ok(SubscriptionEvent::Checkpoint(position)) => Message::Checkpoint(position),
            Ok(SubscriptionEvent::CaughtUp(_)) => Message::CaughtUp,
            Ok(SubscriptionEvent::FellBehind(_)) => Message::FellBehind,
            Ok(_) => continue,
            Err(error) => Message::Dropped(error),
        };
        let last = matches!(message, Message::Dropped(_) | Message::Unreadable(_));
        if sender.send(message).await.is_err() || last {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_exact_types_or_stream_prefixes() {
        let types = EventFilter::event_types(["ReferralOutcomeRecorded"]);
        assert!(types.matches("referral-1", "ReferralOutcomeRecorded"));
        assert!(!types.matches("referral-1", "ReferralOutcomeRecordedLater"));
        assert!(!types.matches("referral-1", "ReferralMade"));
        let streams = EventFilter::stream_prefixes(["vacancy-", "employer-"]);
        assert!(streams.matches("vacancy-1", "VacancyPublished"));
        assert!(!streams.matches("jobseeker-1", "JobSeekerRegistered"));
        // The store's own events in a followed stream (a tombstone's).
        assert!(!streams.matches("vacancy-1", "$streamDeleted"));
    }

    #[test]
    fn regex_metacharacters_in_type_names_are_escaped() {
        assert_eq!(escape_regex("A.b$c_1"), "A\\.b\\$c_1");
    }
}
