//! One subscription group at work: a task that owns the group's state and
//! takes commands (consumers connecting, acks, nacks, questions) from a
//! channel, so that no lock is shared with the gRPC calls.
//!
//! While consumers are connected the task reads the source as catch-up
//! subscriptions do: pages from disk until the head, then the live
//! broadcast (taken before the last page, so nothing committed in between is
//! missed); when its read-ahead is full or it falls behind the broadcast it
//! goes back to disk, so it never holds up the writer. Events wait in the
//! read-ahead or the retry queue, go to consumers with room (round robin or
//! dispatch-to-single), and stay in flight until acked, nacked or timed out.
//!
//! The checkpoint is the last event before the oldest one not yet handled
//! (acked, skipped or durably parked). It is written with `put_state`,
//! following the group's checkpoint settings, and whenever the last
//! consumer leaves or the group stops; a restart resumes after it. Writes run
//! beside the loop, never in its way.

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet, VecDeque};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;
use tonic::Status;
use uuid::Uuid;

use super::definition::{Definition, Source, Strategy};
use super::error::PersistentError;
use super::stored::{self, CHECKPOINTS};
use crate::filter::EventFilter;
use crate::proto::persistent_subscriptions::read_resp::{self, read_event};
use crate::proto::persistent_subscriptions::{ReadResp, SubscriptionInfo, subscription_info};
use crate::server::convert::{UuidFormat, stream_identifier, system_metadata, uuid_to_proto};
use crate::storage::{Direction, LiveBatch, RecordedEvent, Storage, StoreError};

/// Commands waiting for a group before senders wait in turn.
const COMMAND_QUEUE: usize = 1_024;
/// Most events read from disk at once, whatever `read_batch_size` asks.
const MAX_PAGE: u32 = 512;
/// Responses a consumer's channel holds beyond its slots: the confirmation
/// and the status that ends the call.
pub(crate) const RESPONSES_BEYOND_SLOTS: usize = 2;
/// Shortest interval between time-based checkpoint checks.
const MIN_CHECKPOINT_TICK: Duration = Duration::from_millis(10);
/// How often a group looks for deliveries past their message timeout, as
/// KurrentDB does on its one-second timer: a delivery is sent again at the
/// first look after its timeout, so a timeout below a second acts as up to
/// one. Clients depend on it: the Python client batches its acks for up to
/// 0.2 s, and its test of `max_retry_count` gives a 0.1 s message timeout.
const TIMEOUT_TICK: Duration = Duration::from_secs(1);
/// Pause after a failed read before trying again.
const READ_RETRY_PAUSE: Duration = Duration::from_millis(500);

/// Where a consumer's responses go (the gRPC response stream).
pub(crate) type Responses = mpsc::Sender<Result<ReadResp, Status>>;
/// A consumer, within its group.
pub(crate) type ConsumerId = u64;

/// A consumer asking to join a group.
pub(crate) struct NewConsumer {
    pub(crate) responses: Responses,
    /// Events it may have in flight at once (its `buffer_size`).
    pub(crate) slots: usize,
    pub(crate) uuid_format: UuidFormat,
    /// The peer's address.
    pub(crate) from: String,
    pub(crate) connection_name: String,
}

/// What a consumer asks for an event it will not ack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NackAction {
    /// Keep it aside among the parked messages.
    Park,
    /// Deliver it again (parked once it has been retried `max_retry_count` times).
    Retry,
    /// Count it as handled.
    Skip,
    /// Disconnect this consumer; its events go to others.
    Stop,
}

/// Why a group stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StopReason {
    /// Its definition is gone: nothing more is written for it.
    Deleted,
    /// Updated or restarted: a new task takes over from its checkpoint.
    Replaced,
    /// The store is stopping.
    ShuttingDown,
}

pub(crate) enum Command {
    Connect {
        consumer: NewConsumer,
        reply: oneshot::Sender<Result<ConsumerId, PersistentError>>,
    },
    Disconnect {
        consumer: ConsumerId,
    },
    Ack {
        ids: Vec<Uuid>,
    },
    Nack {
        consumer: ConsumerId,
        ids: Vec<Uuid>,
        action: NackAction,
        reason: String,
    },
    Info {
        reply: oneshot::Sender<SubscriptionInfo>,
    },
    ReplayParked {
        stop_at: Option<usize>,
        reply: oneshot::Sender<Result<(), PersistentError>>,
    },
    Stop {
        reason: StopReason,
        reply: oneshot::Sender<()>,
    },
}

/// A running group, as the rest of the service holds it; cheap to clone.
#[derive(Clone)]
pub(crate) struct GroupHandle {
    pub(crate) definition: Arc<Definition>,
    commands: mpsc::Sender<Command>,
}

impl GroupHandle {
    /// Reads the group's checkpoint and parked count, then starts its task.
    pub(crate) async fn start(
        storage: Storage,
        definition: Definition,
    ) -> Result<GroupHandle, PersistentError> {
        let filter = definition
            .filter
            .as_ref()
            .map(|spec| spec.build())
            .transpose()?;
        let key = definition.id.storage_key();
        let parked_namespace = stored::parked_namespace(&definition.id);
        let namespace = parked_namespace.clone();
        let (checkpoint, parked_count) = storage
            .read(move |reader| {
                let checkpoint = reader
                    .state(CHECKPOINTS, &key)?
                    .and_then(|bytes| stored::decode_checkpoint(&bytes));
                let parked = reader.states(&namespace)?.len();
                Ok((checkpoint, parked))
            })
            .await
            .map_err(|error| PersistentError::storage(error, &definition.id))?;

        let definition = Arc::new(definition);
        let settings = &definition.settings;
        let group = Group {
            checkpoint_key: definition.id.storage_key(),
            parked_namespace,
            filter,
            storage,
            reading: Reading::Disk { live: None },
            last_read: checkpoint.or(definition.origin),
            buffer: VecDeque::new(),
            retry: VecDeque::new(),
            outstanding: BTreeSet::new(),
            consumers: Vec::new(),
            next_consumer: 0,
            next_consumer_id: 1,
            in_flight: HashMap::new(),
            by_event: HashMap::new(),
            deadlines: BinaryHeap::new(),
            timeout_ticks_from: Instant::now(),
            next_delivery: 0,
            writes: FuturesUnordered::new(),
            replaying: HashSet::new(),
            parked_count: parked_count as u64,
            checkpoint,
            checkpoint_writing: false,
            handled_since_checkpoint: 0,
            checkpoint_due: Instant::now() + settings.checkpoint_after.max(MIN_CHECKPOINT_TICK),
            total_items: 0,
            definition: definition.clone(),
        };
        let (commands, queue) = mpsc::channel(COMMAND_QUEUE);
        tokio::spawn(group.run(queue));
        Ok(GroupHandle {
            definition,
            commands,
        })
    }

    fn gone(&self) -> PersistentError {
        PersistentError::Dropped(self.definition.id.clone())
    }

    /// Where a connected consumer sends its acks and nacks.
    pub(crate) fn commands(&self) -> mpsc::Sender<Command> {
        self.commands.clone()
    }

    pub(crate) async fn connect(
        &self,
        consumer: NewConsumer,
    ) -> Result<ConsumerId, PersistentError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Connect { consumer, reply })
            .await
            .map_err(|_| self.gone())?;
        answer.await.map_err(|_| self.gone())?
    }

    /// What GetInfo and List report; none if the group has stopped.
    pub(crate) async fn info(&self) -> Option<SubscriptionInfo> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(Command::Info { reply }).await.ok()?;
        answer.await.ok()
    }

    pub(crate) async fn replay_parked(
        &self,
        stop_at: Option<usize>,
    ) -> Result<(), PersistentError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::ReplayParked { stop_at, reply })
            .await
            .map_err(|_| self.gone())?;
        answer.await.map_err(|_| self.gone())?
    }

    /// Stops the group's task and waits until it has finished its writes.
    pub(crate) async fn stop(&self, reason: StopReason) {
        let (reply, answer) = oneshot::channel();
        if self
            .commands
            .send(Command::Stop { reason, reply })
            .await
            .is_ok()
        {
            // An error means the task had already finished.
            drop(answer.await);
        }
    }
}

/// An event on its way to consumers.
struct Message {
    event: RecordedEvent,
    /// Stream revision for a group on a stream, position for one on `$all`.
    key: u64,
    retry_count: u32,
    /// Replayed from the parked messages: not counted in the checkpoint, and
    /// removed from the parked ones once handled.
    from_parked: bool,
}

struct Delivery {
    message: Message,
    consumer: ConsumerId,
}

struct Consumer {
    id: ConsumerId,
    responses: Responses,
    slots: usize,
    in_flight: usize,
    uuid_format: UuidFormat,
    from: String,
    connection_name: String,
    delivered: u64,
}

impl Consumer {
    /// Whether it may take one more event: a free slot, and room in its
    /// channel beyond the one kept for the status that ends the call.
    fn has_room(&self) -> bool {
        self.in_flight < self.slots && self.responses.capacity() > 1
    }
}

enum Reading {
    /// Paging from disk. `live` is taken once a page comes back short; the
    /// page after it closes the gap, then the group follows `live`.
    Disk {
        live: Option<broadcast::Receiver<LiveBatch>>,
    },
    Live(broadcast::Receiver<LiveBatch>),
}

/// A write to the store that finished beside the loop.
enum Written {
    Parked {
        message: Message,
        result: Result<(), StoreError>,
    },
    Unparked {
        result: Result<(), StoreError>,
    },
    Checkpoint {
        key: u64,
        result: Result<(), StoreError>,
    },
}

struct Group {
    definition: Arc<Definition>,
    filter: Option<EventFilter>,
    storage: Storage,
    checkpoint_key: String,
    parked_namespace: String,

    reading: Reading,
    /// Key of the last event read from the source (sent on or filtered out).
    last_read: Option<u64>,
    /// Read, never delivered.
    buffer: VecDeque<Message>,
    /// To deliver again before anything new.
    retry: VecDeque<Message>,
    /// Keys of events read and not yet handled; the checkpoint stays below them.
    outstanding: BTreeSet<u64>,

    consumers: Vec<Consumer>,
    next_consumer: usize,
    next_consumer_id: ConsumerId,
    in_flight: HashMap<u64, Delivery>,
    /// Deliveries in flight by event id, which acks and nacks name.
    by_event: HashMap<Uuid, Vec<u64>>,
    /// When deliveries time out; entries of answered deliveries are skipped.
    deadlines: BinaryHeap<Reverse<(Instant, u64)>>,
    /// Where the grid of [`TIMEOUT_TICK`]s starts.
    timeout_ticks_from: Instant,
    next_delivery: u64,

    writes: FuturesUnordered<BoxFuture<'static, Written>>,
    /// Positions of parked messages being replayed.
    replaying: HashSet<u64>,
    parked_count: u64,
    /// The last checkpoint made durable.
    checkpoint: Option<u64>,
    checkpoint_writing: bool,
    handled_since_checkpoint: u64,
    checkpoint_due: Instant,
    total_items: u64,
}

async fn live_batch(reading: &mut Reading) -> Result<LiveBatch, RecvError> {
    match reading {
        Reading::Live(live) => live.recv().await,
        Reading::Disk { .. } => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

impl Group {
    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let storage = self.storage.clone();
        let shutting_down = storage.shutting_down();
        tokio::pin!(shutting_down);
        loop {
            self.dispatch();
            let wants_events = self.wants_events();
            let read_disk = wants_events && matches!(self.reading, Reading::Disk { .. });
            let read_live = wants_events && matches!(self.reading, Reading::Live(_));
            let next_deadline = self.next_deadline();
            let checkpoint_check = (self.handled_since_checkpoint > 0 && !self.checkpoint_writing)
                .then_some(self.checkpoint_due);
            // Branches are polled in random order, so a stream of acks
            // cannot starve reading, timeouts or finished writes.
            tokio::select! {
                () = &mut shutting_down => {
                    self.finish(StopReason::ShuttingDown).await;
                    return;
                }
                command = commands.recv() => {
                    let Some(command) = command else {
                        self.finish(StopReason::ShuttingDown).await;
                        return;
                    };
                    if self.handle(command).await.is_break() {
                        return;
                    }
                }
                Some(written) = self.writes.next(), if !self.writes.is_empty() => self.written(written),
                () = sleep_until(next_deadline), if next_deadline.is_some() => self.time_out(),
                () = sleep_until(checkpoint_check), if checkpoint_check.is_some() => self.checkpoint_tick(),
                received = live_batch(&mut self.reading), if read_live => self.take_live(received),
                () = std::future::ready(()), if read_disk => self.read_page().await,
            }
        }
    }

    async fn handle(&mut self, command: Command) -> ControlFlow<()> {
        match command {
            Command::Connect { consumer, reply } => {
                let outcome = self.connect(consumer);
                let connected = outcome.as_ref().ok().copied();
                if reply.send(outcome).is_err()
                    && let Some(consumer) = connected
                {
                    // The call that asked is gone already.
                    self.remove_consumer(consumer, None);
                }
            }
            Command::Disconnect { consumer } => self.remove_consumer(consumer, None),
            Command::Ack { ids } => self.acknowledge(&ids),
            Command::Nack {
                consumer,
                ids,
                action,
                reason,
            } => self.refuse(consumer, &ids, action, &reason),
            Command::Info { reply } => drop(reply.send(self.info())),
            Command::ReplayParked { stop_at, reply } => {
                let outcome = self
                    .replay_parked(stop_at)
                    .await
                    .map_err(|error| PersistentError::storage(error, &self.definition.id));
                drop(reply.send(outcome));
            }
            Command::Stop { reason, reply } => {
                self.finish(reason).await;
                let _ = reply.send(());
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    // ------------------------------------------------------------ consumers

    fn connect(&mut self, consumer: NewConsumer) -> Result<ConsumerId, PersistentError> {
        self.remove_closed_consumers();
        let limit = self.definition.settings.max_subscriber_count;
        if limit > 0 && self.consumers.len() >= limit as usize {
            return Err(PersistentError::MaximumSubscribersReached(
                self.definition.id.clone(),
            ));
        }
        let id = self.next_consumer_id;
        self.next_consumer_id += 1;
        self.consumers.push(Consumer {
            id,
            responses: consumer.responses,
            slots: consumer.slots,
            in_flight: 0,
            uuid_format: consumer.uuid_format,
            from: consumer.from,
            connection_name: consumer.connection_name,
            delivered: 0,
        });
        tracing::debug!(group = %self.definition.id, consumer = id, "consumer connected");
        Ok(id)
    }

    /// Removes a consumer, ending its call with `status` if given; what it
    /// had in flight is retried.
    fn remove_consumer(&mut self, id: ConsumerId, status: Option<Status>) {
        let Some(index) = self.consumers.iter().position(|consumer| consumer.id == id) else {
            return;
        };
        let consumer = self.consumers.remove(index);
        if index < self.next_consumer {
            self.next_consumer -= 1;
        }
        if let Some(status) = status {
            drop(consumer.responses.try_send(Err(status)));
        }
        let mut deliveries: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, delivery)| delivery.consumer == id)
            .map(|(delivery, _)| *delivery)
            .collect();
        deliveries.sort_unstable();
        for delivery in deliveries {
            if let Some(taken) = self.take_delivery(delivery) {
                self.retry_later(taken.message);
            }
        }
        tracing::debug!(group = %self.definition.id, consumer = id, "consumer left");
        if self.consumers.is_empty() {
            // Nobody to read for: stop following live events, and make the
            // progress so far durable.
            self.reading = Reading::Disk { live: None };
            self.write_checkpoint();
        }
    }

    fn pick_consumer(&mut self) -> Option<usize> {
        let count = self.consumers.len();
        match self.definition.settings.strategy {
            Strategy::RoundRobin => {
                let index = (0..count)
                    .map(|step| (self.next_consumer + step) % count)
                    .find(|index| self.consumers[*index].has_room())?;
                self.next_consumer = (index + 1) % count;
                Some(index)
            }
            Strategy::DispatchToSingle | Strategy::Pinned | Strategy::PinnedByCorrelation => {
                self.consumers.iter().position(Consumer::has_room)
            }
        }
    }

    /// Removes the consumers whose calls have ended.
    fn remove_closed_consumers(&mut self) {
        let closed: Vec<ConsumerId> = self
            .consumers
            .iter()
            .filter(|consumer| consumer.responses.is_closed())
            .map(|consumer| consumer.id)
            .collect();
        for consumer in closed {
            self.remove_consumer(consumer, None);
        }
    }

    /// Hands waiting events (retries first) to consumers with room.
    fn dispatch(&mut self) {
        self.remove_closed_consumers();
        let waiting = |group: &Self| !group.retry.is_empty() || !group.buffer.is_empty();
        while !self.consumers.is_empty() && waiting(self) {
            let Some(index) = self.pick_consumer() else {
                break;
            };
            let message = match self.retry.pop_front() {
                Some(message) => message,
                None => match self.buffer.pop_front() {
                    Some(message) => message,
                    None => break,
                },
            };
            if let Err(message) = self.deliver(index, message) {
                // Undelivered, so not a retry: it goes first next time.
                self.retry.push_front(message);
            }
        }
    }

    fn deliver(&mut self, index: usize, message: Message) -> Result<(), Message> {
        let consumer = &mut self.consumers[index];
        let response = event_response(&message, consumer.uuid_format);
        match consumer.responses.try_send(Ok(response)) {
            Ok(()) => {
                consumer.in_flight += 1;
                consumer.delivered += 1;
                let consumer = consumer.id;
                self.total_items += 1;
                let delivery = self.next_delivery;
                self.next_delivery += 1;
                if let Some(timeout) = self.definition.settings.message_timeout {
                    self.deadlines
                        .push(Reverse((Instant::now() + timeout, delivery)));
                }
                self.by_event
                    .entry(message.event.id)
                    .or_default()
                    .push(delivery);
                self.in_flight
                    .insert(delivery, Delivery { message, consumer });
                Ok(())
            }
            Err(_) => {
                // Closed: it is gone. (Full cannot happen: `has_room` checked.)
                let consumer = consumer.id;
                self.remove_consumer(consumer, None);
                Err(message)
            }
        }
    }

    /// Takes a delivery out of flight, freeing its consumer's slot.
    fn take_delivery(&mut self, delivery: u64) -> Option<Delivery> {
        let taken = self.in_flight.remove(&delivery)?;
        if let Entry::Occupied(mut entry) = self.by_event.entry(taken.message.event.id) {
            entry.get_mut().retain(|other| *other != delivery);
            if entry.get().is_empty() {
                entry.remove();
            }
        }
        if let Some(consumer) = self
            .consumers
            .iter_mut()
            .find(|consumer| consumer.id == taken.consumer)
        {
            consumer.in_flight = consumer.in_flight.saturating_sub(1);
        }
        Some(taken)
    }

    fn deliveries_of(&self, id: &Uuid) -> Vec<u64> {
        self.by_event.get(id).cloned().unwrap_or_default()
    }

    // ------------------------------------------------------------ answers

    fn acknowledge(&mut self, ids: &[Uuid]) {
        for id in ids {
            let deliveries = self.deliveries_of(id);
            if deliveries.is_empty() {
                // An ack after the event timed out: it waits for redelivery,
                // which is no longer needed.
                if let Some(index) = self
                    .retry
                    .iter()
                    .position(|message| message.event.id == *id)
                    && let Some(message) = self.retry.remove(index)
                {
                    self.handled(message);
                }
                continue;
            }
            for delivery in deliveries {
                if let Some(taken) = self.take_delivery(delivery) {
                    self.handled(taken.message);
                }
            }
        }
        self.maybe_checkpoint(false);
    }

    fn refuse(&mut self, consumer: ConsumerId, ids: &[Uuid], action: NackAction, reason: &str) {
        if action == NackAction::Stop {
            let dropped = PersistentError::Dropped(self.definition.id.clone());
            self.remove_consumer(consumer, Some(dropped.into()));
            return;
        }
        for id in ids {
            for delivery in self.deliveries_of(id) {
                let Some(taken) = self.take_delivery(delivery) else {
                    continue;
                };
                match action {
                    NackAction::Park => self.park(taken.message, reason),
                    NackAction::Retry | NackAction::Stop => self.retry_later(taken.message),
                    NackAction::Skip => self.handled(taken.message),
                }
            }
        }
        self.maybe_checkpoint(false);
    }

    fn time_out(&mut self) {
        let now = Instant::now();
        while let Some(Reverse((deadline, delivery))) = self.deadlines.peek().copied() {
            if deadline > now {
                break;
            }
            self.deadlines.pop();
            if let Some(taken) = self.take_delivery(delivery) {
                tracing::debug!(group = %self.definition.id, event = %taken.message.event.id, "delivery timed out");
                self.retry_later(taken.message);
            }
        }
    }

    /// The first timeout tick at or after the earliest deadline in flight.
    fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(Reverse((deadline, delivery))) = self.deadlines.peek() {
            if self.in_flight.contains_key(delivery) {
                let since = deadline.saturating_duration_since(self.timeout_ticks_from);
                let ticks = since.as_nanos().div_ceil(TIMEOUT_TICK.as_nanos());
                let ticks = u32::try_from(ticks).unwrap_or(u32::MAX);
                let tick = self.timeout_ticks_from.checked_add(TIMEOUT_TICK * ticks);
                return Some(tick.unwrap_or(*deadline));
            }
            self.deadlines.pop();
        }
        None
    }

    /// Queues an event for redelivery, or parks it once it has been retried
    /// `max_retry_count` times.
    fn retry_later(&mut self, mut message: Message) {
        let limit = self.definition.settings.max_retry_count;
        if message.retry_count >= limit {
            self.park(message, &format!("Reached retry count of {limit}"));
        } else {
            message.retry_count += 1;
            self.retry.push_back(message);
        }
    }

    /// An event acked or skipped.
    fn handled(&mut self, message: Message) {
        if message.from_parked {
            let position = message.event.position;
            self.replaying.remove(&position);
            self.unpark(position);
        } else {
            self.outstanding.remove(&message.key);
            self.handled_since_checkpoint += 1;
        }
    }

    // ------------------------------------------------------------ parking

    /// Keeps an event among the parked messages; until that is durable it
    /// holds the checkpoint back.
    fn park(&mut self, message: Message, reason: &str) {
        if message.from_parked {
            // It is still among the parked messages, where it stays.
            self.replaying.remove(&message.event.position);
            return;
        }
        tracing::debug!(group = %self.definition.id, event = %message.event.id, reason, "parking an event");
        let storage = self.storage.clone();
        let namespace = self.parked_namespace.clone();
        let key = stored::parked_key(message.event.position);
        let reason = reason.as_bytes().to_vec();
        self.writes.push(
            async move {
                let result = storage.put_state(&namespace, &key, Some(reason)).await;
                Written::Parked { message, result }
            }
            .boxed(),
        );
    }

    fn unpark(&mut self, position: u64) {
        let storage = self.storage.clone();
        let namespace = self.parked_namespace.clone();
        let key = stored::parked_key(position);
        self.writes.push(
            async move {
                let result = storage.put_state(&namespace, &key, None).await;
                Written::Unparked { result }
            }
            .boxed(),
        );
    }

    async fn replay_parked(&mut self, stop_at: Option<usize>) -> Result<(), StoreError> {
        let namespace = self.parked_namespace.clone();
        let already = self.replaying.clone();
        let limit = stop_at.unwrap_or(usize::MAX);
        let (count, events, missing) = self
            .storage
            .read(move |reader| {
                let entries = reader.states(&namespace)?;
                let mut events = Vec::new();
                let mut missing = Vec::new();
                for (key, _reason) in &entries {
                    if events.len() >= limit {
                        break;
                    }
                    let Some(position) = stored::parked_position(key) else {
                        missing.push(key.clone());
                        continue;
                    };
                    if already.contains(&position) {
                        continue;
                    }
                    match reader.all_events(position, Direction::Forwards, 1)?.pop() {
                        Some(event) if event.position == position => events.push(event),
                        _ => missing.push(key.clone()),
                    }
                }
                Ok((entries.len(), events, missing))
            })
            .await?;
        self.parked_count = count as u64;
        for key in missing {
            // The event is no longer in the store: nothing to replay.
            if let Some(position) = stored::parked_position(&key) {
                self.unpark(position);
            }
        }
        tracing::debug!(group = %self.definition.id, count = events.len(), "replaying parked events");
        for event in events {
            self.replaying.insert(event.position);
            let key = self.key_of(&event);
            self.retry.push_back(Message {
                event,
                key,
                retry_count: 0,
                from_parked: true,
            });
        }
        Ok(())
    }

    fn written(&mut self, written: Written) {
        match written {
            Written::Parked {
                message,
                result: Ok(()),
            } => {
                self.parked_count += 1;
                self.outstanding.remove(&message.key);
                self.handled_since_checkpoint += 1;
            }
            Written::Parked {
                message,
                result: Err(error),
            } => {
                tracing::error!(group = %self.definition.id, %error, "cannot park an event; it will be delivered again");
                self.retry.push_back(message);
            }
            Written::Unparked { result: Ok(()) } => {
                self.parked_count = self.parked_count.saturating_sub(1);
            }
            Written::Unparked { result: Err(error) } => {
                tracing::error!(group = %self.definition.id, %error, "cannot remove a replayed event from the parked ones");
            }
            Written::Checkpoint {
                key,
                result: Ok(()),
            } => {
                self.checkpoint_writing = false;
                self.checkpoint = self.checkpoint.max(Some(key));
                self.maybe_checkpoint(false);
            }
            Written::Checkpoint {
                result: Err(error), ..
            } => {
                tracing::error!(group = %self.definition.id, %error, "cannot write a checkpoint; will try again");
                self.checkpoint_writing = false;
                self.handled_since_checkpoint += 1;
            }
        }
    }

    // ------------------------------------------------------------ checkpoints

    /// The last event before the oldest not yet handled.
    fn checkpoint_candidate(&self) -> Option<u64> {
        match self.outstanding.first() {
            Some(oldest) => oldest.checked_sub(1),
            None => self.last_read,
        }
    }

    fn checkpoint_tick(&mut self) {
        self.checkpoint_due = Instant::now()
            + self
                .definition
                .settings
                .checkpoint_after
                .max(MIN_CHECKPOINT_TICK);
        self.maybe_checkpoint(true);
    }

    /// Writes a checkpoint when the settings call for one: at
    /// `max_checkpoint_count` handled events, or at `min_checkpoint_count`
    /// when `checkpoint_after` has passed.
    fn maybe_checkpoint(&mut self, time_passed: bool) {
        let settings = &self.definition.settings;
        let handled = self.handled_since_checkpoint;
        let enough = handled >= u64::from(settings.max_checkpoint_count).max(1)
            || (time_passed && handled >= u64::from(settings.min_checkpoint_count).max(1));
        if enough {
            self.write_checkpoint();
        }
    }

    /// Starts writing the checkpoint if it has moved past the last one.
    fn write_checkpoint(&mut self) {
        if self.checkpoint_writing {
            return;
        }
        let Some(candidate) = self.checkpoint_candidate() else {
            return;
        };
        // Nothing to write while the group has not moved past where it
        // resumed: its checkpoint, or where it began if it has none.
        if self.checkpoint.or(self.definition.origin) >= Some(candidate) {
            return;
        }
        self.checkpoint_writing = true;
        self.handled_since_checkpoint = 0;
        let storage = self.storage.clone();
        let key = self.checkpoint_key.clone();
        self.writes.push(
            async move {
                let result = storage
                    .put_state(
                        CHECKPOINTS,
                        &key,
                        Some(stored::encode_checkpoint(candidate)),
                    )
                    .await;
                Written::Checkpoint {
                    key: candidate,
                    result,
                }
            }
            .boxed(),
        );
    }

    /// Waits for the writes under way, writes the final checkpoint (unless
    /// the group is deleted) and ends every consumer's call.
    async fn finish(&mut self, reason: StopReason) {
        while let Some(written) = self.writes.next().await {
            self.written(written);
        }
        if reason != StopReason::Deleted {
            self.write_checkpoint();
            while let Some(written) = self.writes.next().await {
                self.written(written);
            }
        }
        let status: Status = match reason {
            StopReason::ShuttingDown => PersistentError::ShuttingDown.into(),
            StopReason::Deleted | StopReason::Replaced => {
                PersistentError::Dropped(self.definition.id.clone()).into()
            }
        };
        for consumer in self.consumers.drain(..) {
            drop(consumer.responses.try_send(Err(status.clone())));
        }
        tracing::debug!(group = %self.definition.id, ?reason, "subscription group stopped");
    }

    // ------------------------------------------------------------ reading

    fn buffer_limit(&self) -> usize {
        let settings = &self.definition.settings;
        let ahead = match self.reading {
            Reading::Live(_) => settings.live_buffer_size,
            Reading::Disk { .. } => settings.history_buffer_size,
        };
        ahead.max(settings.read_batch_size).max(1) as usize
    }

    fn wants_events(&self) -> bool {
        !self.consumers.is_empty() && self.buffer.len() < self.buffer_limit()
    }

    fn key_of(&self, event: &RecordedEvent) -> u64 {
        match self.definition.id.source {
            Source::Stream(_) => event.revision,
            Source::All => event.position,
        }
    }

    async fn read_page(&mut self) {
        // At least a batch, and as much as the read-ahead has room for.
        let room = self.buffer_limit().saturating_sub(self.buffer.len());
        let batch = self.definition.settings.read_batch_size.clamp(1, MAX_PAGE) as usize;
        let limit = room.clamp(batch, MAX_PAGE as usize);
        let from = self.last_read.map_or(0, |key| key + 1);
        let source = self.definition.id.source.clone();
        let page = self
            .storage
            .read(move |reader| match &source {
                Source::Stream(name) => {
                    let first_visible = reader
                        .stream_info(name)?
                        .map_or(0, |info| info.first_visible_revision());
                    reader.stream_events(name, from.max(first_visible), Direction::Forwards, limit)
                }
                Source::All => reader.all_events(from, Direction::Forwards, limit),
            })
            .await;
        let events = match page {
            Ok(events) => events,
            Err(error) => {
                tracing::error!(group = %self.definition.id, %error, "cannot read events for a subscription group");
                tokio::time::sleep(READ_RETRY_PAUSE).await;
                return;
            }
        };
        let exhausted = events.len() < limit;
        self.take(&events);
        if exhausted {
            self.reading = match std::mem::replace(&mut self.reading, Reading::Disk { live: None })
            {
                Reading::Disk { live: None } => Reading::Disk {
                    live: Some(self.storage.subscribe_live()),
                },
                Reading::Disk { live: Some(live) } | Reading::Live(live) => Reading::Live(live),
            };
        }
    }

    fn take_live(&mut self, received: Result<LiveBatch, RecvError>) {
        match received {
            Ok(events) => self.take(&events),
            // Fell behind the broadcast (or it closed): back to disk.
            Err(_) => self.reading = Reading::Disk { live: None },
        }
    }

    /// Puts the source's events after the last one read into the read-ahead.
    fn take(&mut self, events: &[RecordedEvent]) {
        for event in events {
            if let Source::Stream(name) = &self.definition.id.source
                && event.stream != *name
            {
                continue;
            }
            let key = self.key_of(event);
            if self.last_read.is_some_and(|last| key <= last) {
                continue;
            }
            self.last_read = Some(key);
            if let Some(filter) = &self.filter {
                match filter.matches(event) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    // A group has no caller to fail: the event is delivered
                    // rather than skipped, so that consumers see it (and
                    // may park it), and the operator is told.
                    Err(error) => tracing::warn!(
                        %error,
                        position = event.position,
                        "a persistent subscription's filter could not judge an event; delivering it"
                    ),
                }
            }
            self.outstanding.insert(key);
            self.buffer.push_back(Message {
                event: event.clone(),
                key,
                retry_count: 0,
                from_parked: false,
            });
        }
    }

    // ------------------------------------------------------------ reporting

    fn status(&self) -> &'static str {
        if !self.replaying.is_empty() {
            "ReplayingParkedMessages"
        } else if self.consumers.is_empty() {
            "Idle"
        } else if matches!(self.reading, Reading::Live(_)) {
            "Live"
        } else {
            "Behind"
        }
    }

    fn info(&self) -> SubscriptionInfo {
        let definition = &self.definition;
        let settings = &definition.settings;
        let small = |value: u64| i32::try_from(value).unwrap_or(i32::MAX);
        let large = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        let connections = self
            .consumers
            .iter()
            .map(|consumer| subscription_info::ConnectionInfo {
                from: consumer.from.clone(),
                username: String::new(),
                average_items_per_second: 0,
                total_items: large(consumer.delivered),
                count_since_last_measurement: 0,
                observed_measurements: Vec::new(),
                available_slots: small(consumer.slots.saturating_sub(consumer.in_flight) as u64),
                in_flight_messages: small(consumer.in_flight as u64),
                connection_name: consumer.connection_name.clone(),
            })
            .collect();
        let (read_buffer, live_buffer) = match self.reading {
            Reading::Live(_) => (0, self.buffer.len()),
            Reading::Disk { .. } => (self.buffer.len(), 0),
        };
        SubscriptionInfo {
            event_source: definition.id.source.name().to_owned(),
            group_name: definition.id.group.clone(),
            status: self.status().to_owned(),
            connections,
            average_per_second: 0,
            total_items: large(self.total_items),
            count_since_last_measurement: 0,
            last_checkpointed_event_position: self
                .checkpoint
                .map(|key| definition.describe_key(key))
                .unwrap_or_default(),
            last_known_event_position: self
                .last_read
                .map(|key| definition.describe_key(key))
                .unwrap_or_default(),
            resolve_link_tos: settings.resolve_links,
            start_from: definition.start_from(),
            message_timeout_milliseconds: settings
                .message_timeout
                .map_or(0, |timeout| small(timeout.as_millis() as u64)),
            extra_statistics: settings.extra_statistics,
            max_retry_count: small(u64::from(settings.max_retry_count)),
            live_buffer_size: small(u64::from(settings.live_buffer_size)),
            buffer_size: small(u64::from(settings.history_buffer_size)),
            read_batch_size: small(u64::from(settings.read_batch_size)),
            check_point_after_milliseconds: small(settings.checkpoint_after.as_millis() as u64),
            min_check_point_count: small(u64::from(settings.min_checkpoint_count)),
            max_check_point_count: small(u64::from(settings.max_checkpoint_count)),
            read_buffer_count: small(read_buffer as u64),
            live_buffer_count: large(live_buffer as u64),
            retry_buffer_count: small(self.retry.len() as u64),
            total_in_flight_messages: small(self.in_flight.len() as u64),
            outstanding_messages_count: small(self.in_flight.len() as u64),
            named_consumer_strategy: settings.strategy.name().to_owned(),
            max_subscriber_count: small(u64::from(settings.max_subscriber_count)),
            parked_message_count: large(self.parked_count),
        }
    }
}

/// An event as a consumer receives it.
fn event_response(message: &Message, format: UuidFormat) -> ReadResp {
    let event = &message.event;
    let recorded = read_event::RecordedEvent {
        id: Some(uuid_to_proto(event.id, format)),
        stream_identifier: Some(stream_identifier(&event.stream)),
        stream_revision: event.revision,
        prepare_position: event.position,
        commit_position: event.position,
        metadata: system_metadata(event),
        custom_metadata: event.custom_metadata.clone(),
        data: event.data.clone(),
    };
    ReadResp {
        content: Some(read_resp::Content::Event(read_resp::ReadEvent {
            event: Some(recorded),
            link: None,
            position: Some(read_event::Position::CommitPosition(event.position)),
            count: Some(read_event::Count::RetryCount(
                i32::try_from(message.retry_count).unwrap_or(i32::MAX),
            )),
        })),
    }
}
