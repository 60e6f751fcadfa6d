//! `Streams.Read`: one-shot reads of a stream or of `$all`, and catch-up
//! subscriptions that hand over to live events.
//!
//! One-shot reads run on a blocking thread that pages through SQLite and
//! hands batches of responses to the gRPC stream. Subscriptions are async
//! tasks: they page from disk until they reach the head, then take events
//! from the live broadcast; one that falls behind the broadcast goes back to
//! disk, so neither writers nor other subscribers ever wait for it.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::convert::{UuidFormat, read_event, stream_identifier, stream_name, timestamp_now};
use super::errors;
use crate::filter::{EventFilter, FilterTarget};
use crate::proto::shared::AllStreamPosition;
use crate::proto::streams::read_req::options::{
    self as read_options, AllOptions, CountOption, FilterOption, StreamOption, StreamOptions,
};
use crate::proto::streams::{ReadResp, read_resp};
use crate::storage::{
    Direction, Reader, RecordedEvent, Storage, StreamInfo, TICKS_PER_SECOND, now_ticks,
};

/// Events read from SQLite at a time.
const PAGE: usize = 512;
/// Batches of responses buffered for one reader before the read waits.
const BUFFERED_BATCHES: usize = 8;
/// Checkpoint interval of a filtered subscription whose window is a count.
const DEFAULT_CHECKPOINT_WINDOW: u64 = 32;

pub(crate) type ReadResponses = Pin<Box<dyn Stream<Item = Result<ReadResp, Status>> + Send>>;
type Batches = mpsc::Sender<Result<Vec<ReadResp>, Status>>;

/// How long a read of a count of events waits for its client to take a
/// page by default. Such a read holds one of the reader pool's connections
/// (and a read transaction) while it waits, so a client that stops reading
/// must not keep it for ever.
pub const DEFAULT_SLOW_READER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Sends the pages of a read of a count of events from its blocking thread,
/// giving up once the client has not taken one for `timeout`.
struct PageSender {
    sender: Batches,
    timeout: std::time::Duration,
    /// Set when the read was given up: the responses then end with an
    /// error rather than as if the read were complete.
    abandoned: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl PageSender {
    /// Whether the page reached the response stream (false: the client is
    /// gone, or too slow and the read is given up).
    fn send(&self, page: Result<Vec<ReadResp>, Status>) -> bool {
        if self.abandoned.load(std::sync::atomic::Ordering::Acquire) {
            return false;
        }
        let handle = tokio::runtime::Handle::current();
        match handle.block_on(tokio::time::timeout(self.timeout, self.sender.send(page))) {
            Ok(sent) => sent.is_ok(),
            Err(_) => {
                self.abandoned
                    .store(true, std::sync::atomic::Ordering::Release);
                false
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum StreamStart {
    Start,
    End,
    Revision(u64),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum AllStart {
    Start,
    End,
    Position(u64),
}

#[derive(Debug, Clone)]
pub(crate) enum Target {
    Stream { name: String, start: StreamStart },
    All { start: AllStart },
}

/// A read request, parsed.
#[derive(Debug, Clone)]
pub(crate) struct ReadPlan {
    target: Target,
    direction: Direction,
    /// `None` for a subscription.
    count: Option<u64>,
    filter: Option<EventFilter>,
    checkpoint_interval: u64,
    uuid_format: UuidFormat,
    compatibility: u32,
}

impl ReadPlan {
    pub(crate) fn parse(
        options: Option<crate::proto::streams::read_req::Options>,
    ) -> Result<Self, Status> {
        let options =
            options.ok_or_else(|| Status::invalid_argument("the read request has no options"))?;
        let target = match options.stream_option {
            Some(StreamOption::Stream(StreamOptions {
                stream_identifier,
                revision_option,
            })) => {
                let name = stream_name(stream_identifier)?;
                let start = match revision_option {
                    Some(read_options::stream_options::RevisionOption::Revision(revision)) => {
                        StreamStart::Revision(revision)
                    }
                    Some(read_options::stream_options::RevisionOption::Start(_)) => {
                        StreamStart::Start
                    }
                    Some(read_options::stream_options::RevisionOption::End(_)) => StreamStart::End,
                    None => {
                        return Err(Status::invalid_argument(
                            "the read names no revision to start from",
                        ));
                    }
                };
                if name == crate::storage::ALL_STREAM {
                    let start = match start {
                        StreamStart::Start => AllStart::Start,
                        StreamStart::End => AllStart::End,
                        StreamStart::Revision(position) => AllStart::Position(position),
                    };
                    Target::All { start }
                } else {
                    Target::Stream { name, start }
                }
            }
            Some(StreamOption::All(AllOptions { all_option })) => {
                let start = match all_option {
                    Some(read_options::all_options::AllOption::Position(position)) => {
                        AllStart::Position(position.commit_position)
                    }
                    Some(read_options::all_options::AllOption::Start(_)) => AllStart::Start,
                    Some(read_options::all_options::AllOption::End(_)) => AllStart::End,
                    None => {
                        return Err(Status::invalid_argument(
                            "the read names no position to start from",
                        ));
                    }
                };
                Target::All { start }
            }
            None => {
                return Err(Status::invalid_argument(
                    "the read names neither a stream nor $all",
                ));
            }
        };
        let direction = match read_options::ReadDirection::try_from(options.read_direction) {
            Ok(read_options::ReadDirection::Forwards) => Direction::Forwards,
            Ok(read_options::ReadDirection::Backwards) => Direction::Backwards,
            Err(_) => return Err(Status::invalid_argument("unknown read direction")),
        };
        let count = match options.count_option {
            Some(CountOption::Count(count)) => Some(count),
            Some(CountOption::Subscription(_)) => None,
            None => {
                return Err(Status::invalid_argument(
                    "the read sets neither a count nor a subscription",
                ));
            }
        };
        let (filter, checkpoint_interval) = match options.filter_option {
            Some(FilterOption::Filter(filter)) => {
                let (target, expression) = match filter.filter {
                    Some(read_options::filter_options::Filter::StreamIdentifier(expression)) => {
                        (FilterTarget::StreamName, expression)
                    }
                    Some(read_options::filter_options::Filter::EventType(expression)) => {
                        (FilterTarget::EventType, expression)
                    }
                    None => {
                        return Err(Status::invalid_argument(
                            "the filter names nothing to filter on",
                        ));
                    }
                };
                let event_filter = EventFilter::new(target, &expression.regex, expression.prefix)
                    .map_err(|error| Status::invalid_argument(error.to_string()))?;
                let window = match filter.window {
                    Some(read_options::filter_options::Window::Max(max)) if max > 0 => {
                        u64::from(max)
                    }
                    _ => DEFAULT_CHECKPOINT_WINDOW,
                };
                let multiplier = u64::from(filter.checkpoint_interval_multiplier.max(1));
                (Some(event_filter), window.saturating_mul(multiplier))
            }
            Some(FilterOption::NoFilter(_)) | None => (None, 0),
        };
        if filter.is_some() && matches!(target, Target::Stream { .. }) {
            return Err(Status::invalid_argument(
                "filters apply to reads of $all only",
            ));
        }
        if count.is_none() && direction == Direction::Backwards {
            return Err(Status::invalid_argument("subscriptions go forwards only"));
        }
        let uuid_format = match options.uuid_option.and_then(|option| option.content) {
            Some(read_options::uuid_option::Content::String(_)) => UuidFormat::String,
            _ => UuidFormat::Structured,
        };
        Ok(ReadPlan {
            target,
            direction,
            count,
            filter,
            checkpoint_interval,
            uuid_format,
            compatibility: options
                .control_option
                .map_or(0, |control| control.compatibility),
        })
    }

    /// Starts the read; its responses come from the returned stream.
    /// A read of a count of events gives up on a client that has not taken
    /// a page for `slow_reader_timeout`.
    pub(crate) fn run(
        self,
        storage: Storage,
        slow_reader_timeout: std::time::Duration,
    ) -> ReadResponses {
        let (sender, receiver) = mpsc::channel(BUFFERED_BATCHES);
        let abandoned = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        match self.count {
            Some(count) => {
                let pages = PageSender {
                    sender,
                    timeout: slow_reader_timeout,
                    abandoned: abandoned.clone(),
                };
                tokio::spawn(async move {
                    // At most READERS reads hold a connection at once; the
                    // rest wait here, off the blocking threads.
                    let permit = storage.reading_permit().await;
                    let reading = tokio::task::spawn_blocking(move || {
                        let _permit = permit;
                        let result = storage
                            .read_blocking(|reader| Ok(self.read_once(reader, count, &pages)));
                        let outcome = match result {
                            Ok(outcome) => outcome,
                            Err(error) => Err(errors::status(error, "")),
                        };
                        if let Err(status) = outcome {
                            pages.send(Err(status));
                        }
                    });
                    drop(reading.await);
                });
            }
            None => {
                tokio::spawn(async move {
                    let outcome = match &self.target {
                        Target::Stream { name, start } => {
                            subscribe_to_stream(&storage, &self, name, *start, &sender).await
                        }
                        Target::All { start } => {
                            subscribe_to_all(&storage, &self, *start, &sender).await
                        }
                    };
                    if let Err(status) = outcome {
                        drop(sender.send(Err(status)).await);
                    }
                });
            }
        }
        let responses = ReceiverStream::new(receiver).flat_map(|batch| {
            let items: Vec<Result<ReadResp, Status>> = match batch {
                Ok(responses) => responses.into_iter().map(Ok).collect(),
                Err(status) => vec![Err(status)],
            };
            futures::stream::iter(items)
        });
        // A read given up on a slow client ends with an error, not as if
        // it were complete.
        let given_up = futures::stream::once(async move {
            abandoned
                .load(std::sync::atomic::Ordering::Acquire)
                .then(|| {
                    Status::resource_exhausted(format!(
                        "the read was given up: its client took no page for {} s; read again from the last event received",
                        slow_reader_timeout.as_secs()
                    ))
                })
        })
        .filter_map(|status| async move { status.map(Err) });
        Box::pin(responses.chain(given_up))
    }

    fn read_once(
        &self,
        reader: &Reader<'_>,
        count: u64,
        sender: &PageSender,
    ) -> Result<(), Status> {
        match &self.target {
            Target::Stream { name, start } => {
                self.read_stream_once(reader, name, *start, count, sender)
            }
            Target::All { start } => self.read_all_once(reader, *start, count, sender),
        }
    }

    fn read_stream_once(
        &self,
        reader: &Reader<'_>,
        name: &str,
        start: StreamStart,
        count: u64,
        sender: &PageSender,
    ) -> Result<(), Status> {
        let info = reader
            .stream_info(name)
            .map_err(|error| errors::status(error, name))?;
        let info = match info {
            Some(info) if info.tombstoned => return Err(errors::stream_deleted(name)),
            Some(info) if info.is_readable() => info,
            _ => {
                let not_found = read_resp::Content::StreamNotFound(read_resp::StreamNotFound {
                    stream_identifier: Some(stream_identifier(name)),
                });
                sender.send(Ok(vec![ReadResp {
                    content: Some(not_found),
                }]));
                return Ok(());
            }
        };
        let last = info.last_revision.unwrap_or(0);
        let first_visible = info.first_visible_revision();
        let too_old = age_cutoff(&info);
        let mut remaining = count;
        let mut next = match (self.direction, start) {
            (Direction::Forwards, StreamStart::Start) => Some(first_visible),
            (Direction::Forwards, StreamStart::End) => None,
            (Direction::Forwards, StreamStart::Revision(revision)) => {
                Some(revision.max(first_visible))
            }
            (Direction::Backwards, StreamStart::Start) => Some(0),
            (Direction::Backwards, StreamStart::End) => Some(last),
            (Direction::Backwards, StreamStart::Revision(revision)) => Some(revision.min(last)),
        };
        while let Some(from) = next.filter(|_| remaining > 0) {
            let page = usize::try_from(remaining).unwrap_or(PAGE).min(PAGE);
            let events = reader
                .stream_events(name, from, self.direction, page)
                .map_err(|error| errors::status(error, name))?;
            next = match (self.direction, events.last()) {
                (_, None) => None,
                _ if events.len() < page => None,
                (Direction::Forwards, Some(event)) => Some(event.revision + 1),
                (Direction::Backwards, Some(event)) => event.revision.checked_sub(1),
            };
            let mut batch = Vec::with_capacity(events.len());
            for event in &events {
                if event.revision < first_visible {
                    next = None;
                    break;
                }
                if too_old.is_some_and(|cutoff| event.created < cutoff) {
                    continue;
                }
                batch.push(read_event(event, self.uuid_format));
                remaining -= 1;
            }
            if !batch.is_empty() && !sender.send(Ok(batch)) {
                return Ok(());
            }
        }
        if self.compatibility >= 1 {
            let positions = vec![
                ReadResp {
                    content: Some(read_resp::Content::FirstStreamPosition(first_visible)),
                },
                ReadResp {
                    content: Some(read_resp::Content::LastStreamPosition(last)),
                },
            ];
            sender.send(Ok(positions));
        }
        Ok(())
    }

    fn read_all_once(
        &self,
        reader: &Reader<'_>,
        start: AllStart,
        count: u64,
        sender: &PageSender,
    ) -> Result<(), Status> {
        let mut remaining = count;
        let mut next = match (self.direction, start) {
            (Direction::Forwards, AllStart::Start) => Some(0),
            (Direction::Forwards, AllStart::End) => None,
            (Direction::Forwards, AllStart::Position(position)) => Some(position),
            (Direction::Backwards, AllStart::Start) => None,
            (Direction::Backwards, AllStart::End) => Some(u64::MAX),
            (Direction::Backwards, AllStart::Position(position)) => Some(position),
        };
        while let Some(from) = next.filter(|_| remaining > 0) {
            let page = match self.filter {
                Some(_) => PAGE,
                None => usize::try_from(remaining).unwrap_or(PAGE).min(PAGE),
            };
            let events = reader
                .all_events(from, self.direction, page)
                .map_err(|error| errors::status(error, "$all"))?;
            next = match (self.direction, events.last()) {
                (_, None) => None,
                _ if events.len() < page => None,
                (Direction::Forwards, Some(event)) => Some(event.position + 1),
                (Direction::Backwards, Some(event)) => Some(event.position),
            };
            let mut batch = Vec::with_capacity(events.len());
            // A filter that cannot judge an event ends the read with an
            // error, after the events that passed before it.
            let mut failed = None;
            for event in &events {
                if remaining == 0 {
                    break;
                }
                if let Some(filter) = &self.filter {
                    match filter.matches(event) {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(error) => {
                            failed = Some(filter_exhausted(error));
                            break;
                        }
                    }
                }
                batch.push(read_event(event, self.uuid_format));
                remaining -= 1;
            }
            if !batch.is_empty() && !sender.send(Ok(batch)) {
                return Ok(());
            }
            if let Some(status) = failed {
                return Err(status);
            }
        }
        if self.compatibility >= 1 {
            let head = reader
                .last_position()
                .map_err(|error| errors::status(error, "$all"))?;
            let last = ReadResp {
                content: Some(read_resp::Content::LastAllStreamPosition(
                    AllStreamPosition {
                        commit_position: head,
                        prepare_position: head,
                    },
                )),
            };
            sender.send(Ok(vec![last]));
        }
        Ok(())
    }
}

/// Events created before this many ticks are hidden by `$maxAge`.
fn age_cutoff(info: &StreamInfo) -> Option<i64> {
    info.metadata.max_age.map(|age| {
        now_ticks().saturating_sub(
            i64::try_from(age).unwrap_or(i64::MAX / TICKS_PER_SECOND) * TICKS_PER_SECOND,
        )
    })
}

fn confirmation() -> ReadResp {
    ReadResp {
        content: Some(read_resp::Content::Confirmation(
            read_resp::SubscriptionConfirmation {
                subscription_id: uuid::Uuid::new_v4().to_string(),
            },
        )),
    }
}

fn position_message(position: u64) -> read_resp::Position {
    read_resp::Position {
        commit_position: position,
        prepare_position: position,
    }
}

/// Sends a batch; `false` when the subscriber has gone.
async fn send(sender: &Batches, batch: Vec<ReadResp>) -> bool {
    batch.is_empty() || sender.send(Ok(batch)).await.is_ok()
}

/// What a live subscription waits for next.
enum Live {
    Events(crate::storage::LiveBatch),
    /// The subscription fell behind the live buffer: back to disk.
    Lagged,
    /// The subscriber has gone.
    Gone,
    /// The store is shutting down.
    Stopping,
}

async fn next_live(
    storage: &Storage,
    live: &mut broadcast::Receiver<crate::storage::LiveBatch>,
    sender: &Batches,
) -> Live {
    tokio::select! {
        received = live.recv() => match received {
            Ok(events) => Live::Events(events),
            Err(broadcast::error::RecvError::Lagged(_)) => Live::Lagged,
            Err(broadcast::error::RecvError::Closed) => Live::Stopping,
        },
        () = sender.closed() => Live::Gone,
        () = storage.shutting_down() => Live::Stopping,
    }
}

/// A filter that ran out of its budget: the read or subscription fails
/// rather than skip the event.
fn filter_exhausted(error: crate::filter::FilterError) -> Status {
    Status::invalid_argument(error.to_string())
}

fn stopping() -> Status {
    Status::unavailable("The event store is shutting down; resubscribe from your last position.")
}

/// What a `$all` subscription has sent so far and how it checkpoints.
struct AllProgress<'a> {
    plan: &'a ReadPlan,
    /// Position of the last event looked at (sent or filtered out).
    after: u64,
    since_checkpoint: u64,
}

impl AllProgress<'_> {
    /// Responses for events after the last one looked at; an error if the
    /// filter could not tell whether one passes.
    fn take(&mut self, events: &[RecordedEvent], batch: &mut Vec<ReadResp>) -> Result<(), Status> {
        for event in events {
            if event.position <= self.after {
                continue;
            }
            self.after = event.position;
            match &self.plan.filter {
                None => batch.push(read_event(event, self.plan.uuid_format)),
                Some(filter) => {
                    if filter.matches(event).map_err(filter_exhausted)? {
                        batch.push(read_event(event, self.plan.uuid_format));
                    }
                    self.since_checkpoint += 1;
                    if self.since_checkpoint >= self.plan.checkpoint_interval {
                        batch.push(self.checkpoint());
                    }
                }
            }
        }
        Ok(())
    }

    fn checkpoint(&mut self) -> ReadResp {
        self.since_checkpoint = 0;
        ReadResp {
            content: Some(read_resp::Content::Checkpoint(read_resp::Checkpoint {
                commit_position: self.after,
                prepare_position: self.after,
                timestamp: Some(timestamp_now()),
            })),
        }
    }
}

async fn subscribe_to_all(
    storage: &Storage,
    plan: &ReadPlan,
    start: AllStart,
    sender: &Batches,
) -> Result<(), Status> {
    if !send(sender, vec![confirmation()]).await {
        return Ok(());
    }
    let mut progress = AllProgress {
        plan,
        after: match start {
            AllStart::Start => 0,
            AllStart::End => storage.head(),
            AllStart::Position(position) => position,
        },
        since_checkpoint: 0,
    };
    loop {
        // Catch up from disk; subscribe to live events once at the head,
        // then read once more so that nothing committed in between is missed.
        let mut live = None;
        loop {
            let from = progress.after + 1;
            let events = storage
                .read(move |reader| reader.all_events(from, Direction::Forwards, PAGE))
                .await
                .map_err(|error| errors::status(error, "$all"))?;
            let mut batch = Vec::with_capacity(events.len());
            // The events that passed before a filter failed are sent first.
            let taken = progress.take(&events, &mut batch);
            if !send(sender, batch).await {
                return Ok(());
            }
            taken?;
            if events.len() < PAGE {
                if live.is_some() {
                    break;
                }
                live = Some(storage.subscribe_live());
            }
        }
        let Some(mut live) = live else { continue };
        let mut caught_up = vec![ReadResp {
            content: Some(read_resp::Content::CaughtUp(read_resp::CaughtUp {
                timestamp: Some(timestamp_now()),
                stream_revision: None,
                position: Some(position_message(progress.after)),
            })),
        }];
        if plan.filter.is_some() {
            caught_up.push(progress.checkpoint());
        }
        if !send(sender, caught_up).await {
            return Ok(());
        }
        loop {
            match next_live(storage, &mut live, sender).await {
                Live::Gone => return Ok(()),
                Live::Stopping => return Err(stopping()),
                Live::Events(events) => {
                    let mut batch = Vec::with_capacity(events.len());
                    let taken = progress.take(&events, &mut batch);
                    if !send(sender, batch).await {
                        return Ok(());
                    }
                    taken?;
                }
                Live::Lagged => {
                    let fell_behind = ReadResp {
                        content: Some(read_resp::Content::FellBehind(read_resp::FellBehind {
                            timestamp: Some(timestamp_now()),
                            stream_revision: None,
                            position: Some(position_message(progress.after)),
                        })),
                    };
                    if !send(sender, vec![fell_behind]).await {
                        return Ok(());
                    }
                    break;
                }
            }
        }
    }
}

async fn subscribe_to_stream(
    storage: &Storage,
    plan: &ReadPlan,
    name: &str,
    start: StreamStart,
    sender: &Batches,
) -> Result<(), Status> {
    let owned_name = name.to_owned();
    let info = storage
        .read(move |reader| reader.stream_info(&owned_name))
        .await
        .map_err(|error| errors::status(error, name))?;
    if info.as_ref().is_some_and(|info| info.tombstoned) {
        return Err(errors::stream_deleted(name));
    }
    if !send(sender, vec![confirmation()]).await {
        return Ok(());
    }
    // The next revision to send.
    let mut next = match start {
        StreamStart::Start => 0,
        StreamStart::End => info
            .and_then(|info| info.last_revision)
            .map_or(0, |last| last + 1),
        StreamStart::Revision(revision) => revision.saturating_add(1),
    };
    let take = |events: &[RecordedEvent], next: &mut u64, batch: &mut Vec<ReadResp>| {
        for event in events {
            if event.stream == name && event.revision >= *next {
                *next = event.revision + 1;
                batch.push(read_event(event, plan.uuid_format));
            }
        }
    };
    loop {
        let mut live = None;
        loop {
            let owned_name = name.to_owned();
            let from = next;
            let (info, events) = storage
                .read(move |reader| {
                    let info = reader.stream_info(&owned_name)?;
                    let first_visible = info.as_ref().map_or(0, StreamInfo::first_visible_revision);
                    let events = reader.stream_events(
                        &owned_name,
                        from.max(first_visible),
                        Direction::Forwards,
                        PAGE,
                    )?;
                    Ok((info, events))
                })
                .await
                .map_err(|error| errors::status(error, name))?;
            if info.as_ref().is_some_and(|info| info.tombstoned) {
                return Err(errors::stream_deleted(name));
            }
            let mut batch = Vec::with_capacity(events.len());
            take(&events, &mut next, &mut batch);
            if !send(sender, batch).await {
                return Ok(());
            }
            if events.len() < PAGE {
                if live.is_some() {
                    break;
                }
                live = Some(storage.subscribe_live());
            }
        }
        let Some(mut live) = live else { continue };
        let caught_up = ReadResp {
            content: Some(read_resp::Content::CaughtUp(read_resp::CaughtUp {
                timestamp: Some(timestamp_now()),
                stream_revision: next
                    .checked_sub(1)
                    .and_then(|revision| i64::try_from(revision).ok()),
                position: None,
            })),
        };
        if !send(sender, vec![caught_up]).await {
            return Ok(());
        }
        loop {
            match next_live(storage, &mut live, sender).await {
                Live::Gone => return Ok(()),
                Live::Stopping => return Err(stopping()),
                Live::Events(events) => {
                    let mut batch = Vec::new();
                    take(&events, &mut next, &mut batch);
                    if !send(sender, batch).await {
                        return Ok(());
                    }
                }
                Live::Lagged => break,
            }
        }
    }
}
