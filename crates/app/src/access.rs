//! The access log's writer: every time a member of staff is shown a
//! person's full record, a use case [`record`](AccessLog::record)s it,
//! which costs the request a push into a queue and nothing else; one task
//! per process takes whatever waits (within a short linger) and appends
//! it as one batch, `accesslog-<uuid>`, one `PersonalRecordRead` per read.
//!
//! Logging is best-effort while serving (a full queue or a store that
//! refuses for longer than the retries drops entries, counted and
//! warned about, never a request failed for it) and complete at a
//! graceful stop: [`stop`](AccessLog::stop) closes the queue and appends
//! everything still in it before it returns.

use std::time::Duration;

use chrono::Utc;
use labex_domain::JobSeekerId;
use labex_domain::access::{AccessBatchId, AccessEvent, PersonalRecordRead, Reader};
use labex_domain::value::DivisionCode;
use labex_eventsourcing::kurrentdb::{AppendToStreamOptions, StreamState};
use labex_eventsourcing::{EventContext, Repository, event_data};
use prometheus::IntCounter;
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::actor::{Actor, Role};

/// How the writer batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessLogOptions {
    /// How long the writer waits, after the first read of a batch, for
    /// more to join it.
    pub linger: Duration,
    /// The most reads in one batch.
    pub max_batch: usize,
    /// The most reads waiting; past it, reads are dropped (and counted).
    pub capacity: usize,
    /// Appends tried per batch before it is dropped (and counted).
    pub attempts: u32,
}

impl Default for AccessLogOptions {
    fn default() -> Self {
        Self {
            linger: Duration::from_millis(100),
            max_batch: 1_000,
            capacity: 100_000,
            attempts: 5,
        }
    }
}

/// One read waiting to be written.
#[derive(Debug)]
struct Entry {
    event: PersonalRecordRead,
    context: EventContext,
}

/// A process's access-log writer. Cheap to share (`Arc`).
pub struct AccessLog {
    queue: mpsc::Sender<Entry>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
    dropped: IntCounter,
    written: IntCounter,
}

impl AccessLog {
    /// Starts the writer on the current runtime, appending through
    /// `repository`'s client.
    pub fn start(repository: Repository, options: AccessLogOptions) -> Self {
        let (queue, receiver) = mpsc::channel(options.capacity.max(1));
        let (stop, stopping) = watch::channel(false);
        let written = IntCounter::new(
            "labex_access_log_reads_written_total",
            "Reads of full records written to the access log",
        )
        .expect("a valid metric");
        let dropped = IntCounter::new(
            "labex_access_log_reads_dropped_total",
            "Reads of full records the access log dropped (a full queue, or a batch the store kept refusing)",
        )
        .expect("a valid metric");
        let writer = Writer {
            repository,
            options,
            dropped: dropped.clone(),
            written: written.clone(),
        };
        let task = tokio::spawn(writer.run(receiver, stopping));
        Self {
            queue,
            stop,
            task: Mutex::new(Some(task)),
            dropped,
            written,
        }
    }

    /// Records that `actor` was shown the full record of `jobseeker_id`
    /// (registered in `office`) through `endpoint`. Only staff reads are
    /// recorded: a job seeker reading their own record is not.
    pub fn record(
        &self,
        actor: &Actor,
        jobseeker_id: JobSeekerId,
        office: &DivisionCode,
        endpoint: &str,
    ) {
        if matches!(actor.role, Role::Jobseeker | Role::Employer) {
            return;
        }
        let entry = Entry {
            event: PersonalRecordRead {
                // Set per batch by the writer.
                batch_id: AccessBatchId::from_uuid(Uuid::nil()),
                jobseeker_id,
                reader: Reader {
                    subject: actor.subject.clone(),
                    role: actor.role.as_str().to_owned(),
                    office: actor.office.clone(),
                },
                endpoint: endpoint.to_owned(),
                read_at: Utc::now(),
            },
            context: actor.event_context(office),
        };
        if self.queue.try_send(entry).is_err() {
            self.dropped.inc();
            let dropped = self.dropped.get();
            if dropped.is_power_of_two() {
                tracing::warn!(
                    dropped,
                    "the access log's queue is full or closed; reads dropped"
                );
            }
        }
    }

    /// Reads written so far.
    pub fn written(&self) -> u64 {
        self.written.get()
    }

    /// Reads dropped so far (a full queue, or a batch the store kept
    /// refusing).
    pub fn dropped(&self) -> u64 {
        self.dropped.get()
    }

    /// Its counters (`labex_access_log_reads_written_total`,
    /// `labex_access_log_reads_dropped_total`), for the process's metrics.
    pub fn counters(&self) -> [IntCounter; 2] {
        [self.written.clone(), self.dropped.clone()]
    }

    /// Closes the queue and writes everything still in it; returns once
    /// it is written (or could not be). Later records are dropped.
    pub async fn stop(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().await.take();
        if let Some(task) = task
            && let Err(error) = task.await
        {
            tracing::error!(%error, "the access log's writer failed");
        }
    }
}

/// The task that appends the batches.
struct Writer {
    repository: Repository,
    options: AccessLogOptions,
    dropped: IntCounter,
    written: IntCounter,
}

impl Writer {
    async fn run(self, mut queue: mpsc::Receiver<Entry>, mut stopping: watch::Receiver<bool>) {
        loop {
            let first = tokio::select! {
                biased;
                _ = stopping.wait_for(|stop| *stop) => break,
                entry = queue.recv() => match entry {
                    Some(entry) => entry,
                    None => break,
                },
            };
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + self.options.linger;
            while batch.len() < self.options.max_batch {
                tokio::select! {
                    biased;
                    _ = stopping.wait_for(|stop| *stop) => break,
                    entry = queue.recv() => match entry {
                        Some(entry) => batch.push(entry),
                        None => break,
                    },
                    () = tokio::time::sleep_until(deadline) => break,
                }
            }
            self.append(batch).await;
        }
        // Stopping: nothing more is taken; what waits is written.
        queue.close();
        let mut batch = Vec::new();
        while let Some(entry) = queue.recv().await {
            batch.push(entry);
            if batch.len() == self.options.max_batch {
                self.append(std::mem::take(&mut batch)).await;
            }
        }
        if !batch.is_empty() {
            self.append(batch).await;
        }
    }

    /// Appends `batch` as one new stream, retrying (with the same event
    /// ids, so a retry after a lost answer writes nothing twice).
    async fn append(&self, batch: Vec<Entry>) {
        let batch_id = AccessBatchId::generate();
        let count = batch.len() as u64;
        let events: Vec<_> = batch
            .into_iter()
            .map(|entry| {
                let event = AccessEvent::PersonalRecordRead(PersonalRecordRead {
                    batch_id,
                    ..entry.event
                });
                event_data(&event, Uuid::now_v7(), &entry.context)
            })
            .collect();
        let stream = batch_id.stream_name();
        let options = AppendToStreamOptions::default().stream_state(StreamState::Any);
        let mut wait = Duration::from_millis(50);
        for attempt in 1..=self.options.attempts {
            match self
                .repository
                .client()
                .append_to_stream(stream.as_str(), &options, events.clone())
                .await
            {
                Ok(_) => {
                    self.written.inc_by(count);
                    return;
                }
                Err(error) if attempt < self.options.attempts => {
                    tracing::warn!(%error, attempt, "the access log's batch was not appended; trying again");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                Err(error) => {
                    tracing::error!(%error, reads = count, "the access log's batch was dropped");
                }
            }
        }
        self.dropped.inc_by(count);
    }
}
