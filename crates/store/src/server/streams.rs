//! The `Streams` service: append, batch append, read, delete, tombstone.

use std::collections::HashMap;

use futures::StreamExt;
use tonic::{Request, Response, Status, Streaming};

use super::connection::ConnectionInfo;
use super::convert::{proposed_event, stream_identifier, stream_name, uuid_from_proto};
use super::errors;
use super::reads::{ReadPlan, ReadResponses};
use crate::proto::shared::{AllStreamPosition, Empty};
use crate::proto::streams::streams_server::Streams;
use crate::proto::streams::{
    AppendReq, AppendResp, BatchAppendReq, BatchAppendResp, DeleteReq, DeleteResp, ReadReq,
    TombstoneReq, TombstoneResp, append_req, append_resp, batch_append_req, batch_append_resp,
    delete_req, delete_resp, tombstone_req, tombstone_resp,
};
use crate::storage::{
    AppendOutcome, CurrentRevision, ExpectedRevision, ProposedEvent, Storage, StoreError,
};

/// Batches of one batch-append call received or committing at once (its
/// unfinished parts included) by default; past them the call fails with
/// `RESOURCE_EXHAUSTED`.
pub const DEFAULT_MAX_PENDING_BATCHES: usize = 1_024;

/// The refusal of a batch past a call's cap.
fn too_many_batches(cap: usize) -> Status {
    Status::resource_exhausted(format!(
        "more than {cap} batches are pending on this batch append; wait for their answers"
    ))
}

/// A place among the connection's pending appends, if the call came over
/// one of the store's connections (always, but in unit tests).
fn pending_append(
    extensions: &tonic::Extensions,
) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, Status> {
    ConnectionInfo::of(extensions)
        .map(ConnectionInfo::pending_append)
        .transpose()
}

/// Places for one whole batch of a batch-append call: among the call's
/// pending batches (`unfinished` more are still being received) and among
/// the connection's pending appends.
fn pending_places(
    committing: &std::sync::Arc<tokio::sync::Semaphore>,
    cap: usize,
    unfinished: usize,
    connection: Option<&ConnectionInfo>,
) -> Result<
    (
        tokio::sync::OwnedSemaphorePermit,
        Option<tokio::sync::OwnedSemaphorePermit>,
    ),
    Status,
> {
    if committing.available_permits() <= unfinished {
        return Err(too_many_batches(cap));
    }
    let place = committing
        .clone()
        .try_acquire_owned()
        .map_err(|_| too_many_batches(cap))?;
    let on_connection = connection.map(ConnectionInfo::pending_append).transpose()?;
    Ok((place, on_connection))
}

/// The Streams service over one storage engine.
#[derive(Clone)]
pub(crate) struct StreamsService {
    storage: Storage,
    max_append_size: usize,
    max_pending_batches: usize,
    slow_reader_timeout: std::time::Duration,
}

impl StreamsService {
    pub(crate) fn new(
        storage: Storage,
        max_append_size: usize,
        max_pending_batches: usize,
        slow_reader_timeout: std::time::Duration,
    ) -> Self {
        StreamsService {
            storage,
            max_append_size,
            max_pending_batches,
            slow_reader_timeout,
        }
    }
}

/// The expected revision of an append, delete or tombstone: their options
/// carry the same oneof, generated as three types.
macro_rules! expected_revision {
    ($option:expr, $($oneof:ident)::+, $request:literal) => {
        match $option {
            Some($($oneof)::+::Revision(revision)) => Ok(ExpectedRevision::Exact(revision)),
            Some($($oneof)::+::NoStream(_)) => Ok(ExpectedRevision::NoStream),
            Some($($oneof)::+::Any(_)) => Ok(ExpectedRevision::Any),
            Some($($oneof)::+::StreamExists(_)) => Ok(ExpectedRevision::StreamExists),
            None => Err(Status::invalid_argument(concat!(
                "the ",
                $request,
                " sets no expected revision"
            ))),
        }
    };
}

fn append_success(outcome: AppendOutcome) -> append_resp::Success {
    use append_resp::success::{CurrentRevisionOption, PositionOption};
    append_resp::Success {
        current_revision_option: Some(match outcome.current_revision {
            CurrentRevision::Current(revision) => CurrentRevisionOption::CurrentRevision(revision),
            CurrentRevision::NoStream => CurrentRevisionOption::NoStream(Empty {}),
        }),
        position_option: Some(match outcome.position {
            Some(position) => PositionOption::Position(append_resp::Position {
                commit_position: position,
                prepare_position: position,
            }),
            None => PositionOption::NoPosition(Empty {}),
        }),
    }
}

fn wrong_expected_version(
    current: CurrentRevision,
    expected: ExpectedRevision,
) -> append_resp::WrongExpectedVersion {
    use append_resp::wrong_expected_version::{
        CurrentRevisionOption, CurrentRevisionOption2060, ExpectedRevisionOption,
        ExpectedRevisionOption2060,
    };
    let (current_now, current_old) = match current {
        CurrentRevision::Current(revision) => (
            CurrentRevisionOption::CurrentRevision(revision),
            CurrentRevisionOption2060::CurrentRevision2060(revision),
        ),
        CurrentRevision::NoStream => (
            CurrentRevisionOption::CurrentNoStream(Empty {}),
            CurrentRevisionOption2060::NoStream2060(Empty {}),
        ),
    };
    let (expected_now, expected_old) = match expected {
        ExpectedRevision::Exact(revision) => (
            ExpectedRevisionOption::ExpectedRevision(revision),
            Some(ExpectedRevisionOption2060::ExpectedRevision2060(revision)),
        ),
        ExpectedRevision::Any => (
            ExpectedRevisionOption::ExpectedAny(Empty {}),
            Some(ExpectedRevisionOption2060::Any2060(Empty {})),
        ),
        ExpectedRevision::StreamExists => (
            ExpectedRevisionOption::ExpectedStreamExists(Empty {}),
            Some(ExpectedRevisionOption2060::StreamExists2060(Empty {})),
        ),
        ExpectedRevision::NoStream => (ExpectedRevisionOption::ExpectedNoStream(Empty {}), None),
    };
    append_resp::WrongExpectedVersion {
        current_revision_option_20_6_0: Some(current_old),
        expected_revision_option_20_6_0: expected_old,
        current_revision_option: Some(current_now),
        expected_revision_option: Some(expected_now),
    }
}

impl StreamsService {
    /// Adds an event to a pending append, refusing it past the maximum size.
    fn take_event(
        &self,
        events: &mut Vec<ProposedEvent>,
        size: &mut usize,
        event: ProposedEvent,
    ) -> Result<(), Status> {
        *size += event.size();
        if *size > self.max_append_size {
            return Err(errors::maximum_append_size_exceeded(self.max_append_size));
        }
        events.push(event);
        Ok(())
    }
}

#[tonic::async_trait]
impl Streams for StreamsService {
    type ReadStream = ReadResponses;

    async fn read(&self, request: Request<ReadReq>) -> Result<Response<Self::ReadStream>, Status> {
        let plan = ReadPlan::parse(request.into_inner().options)?;
        Ok(Response::new(
            plan.run(self.storage.clone(), self.slow_reader_timeout),
        ))
    }

    async fn append(
        &self,
        request: Request<Streaming<AppendReq>>,
    ) -> Result<Response<AppendResp>, Status> {
        let _pending = pending_append(request.extensions())?;
        let mut messages = request.into_inner();
        let options = match messages.message().await? {
            Some(AppendReq {
                content: Some(append_req::Content::Options(options)),
            }) => options,
            Some(_) => {
                return Err(Status::invalid_argument(
                    "an append starts with its options",
                ));
            }
            None => return Err(Status::invalid_argument("the append request is empty")),
        };
        let stream = stream_name(options.stream_identifier)?;
        let expected: ExpectedRevision = expected_revision!(
            options.expected_stream_revision,
            append_req::options::ExpectedStreamRevision,
            "append"
        )?;
        let mut events = Vec::new();
        let mut size = 0;
        // Nothing is written before the client has sent its last message: a
        // client that goes away mid-append leaves no trace.
        while let Some(message) = messages.message().await? {
            match message.content {
                Some(append_req::Content::ProposedMessage(proposed)) => {
                    let event = proposed_event(
                        proposed.id,
                        proposed.metadata,
                        proposed.custom_metadata,
                        proposed.data,
                    )?;
                    self.take_event(&mut events, &mut size, event)?;
                }
                Some(append_req::Content::Options(_)) => {
                    return Err(Status::invalid_argument(
                        "an append sends its options once, first",
                    ));
                }
                None => return Err(Status::invalid_argument("an append message is empty")),
            }
        }
        let result = match self.storage.append(stream.clone(), expected, events).await {
            Ok(outcome) => append_resp::Result::Success(append_success(outcome)),
            Err(StoreError::WrongExpectedVersion { current, expected }) => {
                append_resp::Result::WrongExpectedVersion(wrong_expected_version(current, expected))
            }
            Err(error) => return Err(errors::status(error, &stream)),
        };
        Ok(Response::new(AppendResp {
            result: Some(result),
        }))
    }

    type BatchAppendStream =
        std::pin::Pin<Box<dyn futures::Stream<Item = Result<BatchAppendResp, Status>> + Send>>;

    async fn batch_append(
        &self,
        request: Request<Streaming<BatchAppendReq>>,
    ) -> Result<Response<Self::BatchAppendStream>, Status> {
        let connection = ConnectionInfo::of(request.extensions()).cloned();
        let mut messages = request.into_inner();
        let (sender, receiver) = tokio::sync::mpsc::channel(64);
        let service = self.clone();
        tokio::spawn(async move {
            // Parts of batches that are not final yet, by correlation id.
            let mut pending: HashMap<uuid::Uuid, PendingBatch> = HashMap::new();
            // Places for batches committing: with the unfinished ones, at
            // most max_pending_batches.
            let cap = service.max_pending_batches;
            let committing = std::sync::Arc::new(tokio::sync::Semaphore::new(cap));
            while let Some(message) = messages.next().await {
                let message = match message {
                    Ok(message) => message,
                    Err(_) => return,
                };
                let outcome = service.batch_part(&mut pending, message).and_then(|batch| {
                    batch
                        .map(|batch| {
                            let places = pending_places(
                                &committing,
                                cap,
                                pending.len(),
                                connection.as_ref(),
                            )?;
                            Ok((batch, places))
                        })
                        .transpose()
                });
                match outcome {
                    Ok(None) => {}
                    Ok(Some((batch, places))) => {
                        let service = service.clone();
                        let sender = sender.clone();
                        tokio::spawn(async move {
                            let _places = places;
                            let response = service.commit_batch(batch).await;
                            drop(sender.send(Ok(response)).await);
                        });
                    }
                    Err(status) => {
                        drop(sender.send(Err(status)).await);
                        return;
                    }
                }
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(receiver),
        )))
    }

    async fn delete(&self, request: Request<DeleteReq>) -> Result<Response<DeleteResp>, Status> {
        let options = request
            .into_inner()
            .options
            .ok_or_else(|| Status::invalid_argument("the delete request has no options"))?;
        let stream = stream_name(options.stream_identifier)?;
        let expected: ExpectedRevision = expected_revision!(
            options.expected_stream_revision,
            delete_req::options::ExpectedStreamRevision,
            "delete"
        )?;
        let position = self
            .storage
            .delete(stream.clone(), expected)
            .await
            .map_err(|error| errors::status_of(errors::Operation::Delete, error, &stream))?;
        let position_option = Some(match position {
            Some(position) => delete_resp::PositionOption::Position(delete_resp::Position {
                commit_position: position,
                prepare_position: position,
            }),
            None => delete_resp::PositionOption::NoPosition(Empty {}),
        });
        Ok(Response::new(DeleteResp { position_option }))
    }

    async fn tombstone(
        &self,
        request: Request<TombstoneReq>,
    ) -> Result<Response<TombstoneResp>, Status> {
        let options = request
            .into_inner()
            .options
            .ok_or_else(|| Status::invalid_argument("the tombstone request has no options"))?;
        let stream = stream_name(options.stream_identifier)?;
        let expected: ExpectedRevision = expected_revision!(
            options.expected_stream_revision,
            tombstone_req::options::ExpectedStreamRevision,
            "tombstone"
        )?;
        let position = self
            .storage
            .tombstone(stream.clone(), expected)
            .await
            .map_err(|error| errors::status_of(errors::Operation::Delete, error, &stream))?;
        let position_option = Some(match position {
            Some(position) => tombstone_resp::PositionOption::Position(tombstone_resp::Position {
                commit_position: position,
                prepare_position: position,
            }),
            None => tombstone_resp::PositionOption::NoPosition(Empty {}),
        });
        Ok(Response::new(TombstoneResp { position_option }))
    }
}

/// A batch append being received in parts.
#[derive(Debug)]
struct PendingBatch {
    correlation: crate::proto::shared::Uuid,
    stream: String,
    expected: ExpectedRevision,
    expected_option: Option<batch_append_resp::ExpectedStreamPosition>,
    events: Vec<ProposedEvent>,
    size: usize,
}

impl StreamsService {
    /// Takes one message of a batch append; returns the batch when it is whole.
    fn batch_part(
        &self,
        pending: &mut HashMap<uuid::Uuid, PendingBatch>,
        message: BatchAppendReq,
    ) -> Result<Option<PendingBatch>, Status> {
        let correlation = message.correlation_id.ok_or_else(|| {
            Status::invalid_argument("a batch append message needs a correlation id")
        })?;
        let key = uuid_from_proto(Some(correlation.clone()))?;
        let batch = match pending.remove(&key) {
            Some(batch) => batch,
            None if pending.len() >= self.max_pending_batches => {
                return Err(too_many_batches(self.max_pending_batches));
            }
            None => {
                let options = message.options.ok_or_else(|| {
                    Status::invalid_argument("the first message of a batch append needs options")
                })?;
                let stream = stream_name(options.stream_identifier)?;
                use batch_append_req::options::ExpectedStreamPosition as Expected;
                use batch_append_resp::ExpectedStreamPosition as Echo;
                let (expected, echo) = match options.expected_stream_position {
                    Some(Expected::StreamPosition(revision)) => (
                        ExpectedRevision::Exact(revision),
                        Echo::StreamPosition(revision),
                    ),
                    Some(Expected::NoStream(())) => {
                        (ExpectedRevision::NoStream, Echo::NoStream(()))
                    }
                    Some(Expected::Any(())) => (ExpectedRevision::Any, Echo::Any(())),
                    Some(Expected::StreamExists(())) => {
                        (ExpectedRevision::StreamExists, Echo::StreamExists(()))
                    }
                    None => {
                        return Err(Status::invalid_argument(
                            "the batch append sets no expected revision",
                        ));
                    }
                };
                PendingBatch {
                    correlation,
                    stream,
                    expected,
                    expected_option: Some(echo),
                    events: Vec::new(),
                    size: 0,
                }
            }
        };
        let mut batch = batch;
        for proposed in message.proposed_messages {
            let event = proposed_event(
                proposed.id,
                proposed.metadata,
                proposed.custom_metadata,
                proposed.data,
            )?;
            self.take_event(&mut batch.events, &mut batch.size, event)?;
        }
        if message.is_final {
            Ok(Some(batch))
        } else {
            pending.insert(key, batch);
            Ok(None)
        }
    }

    async fn commit_batch(&self, batch: PendingBatch) -> BatchAppendResp {
        use batch_append_resp::success::{CurrentRevisionOption, PositionOption};
        let result = match self
            .storage
            .append(batch.stream.clone(), batch.expected, batch.events)
            .await
        {
            Ok(outcome) => batch_append_resp::Result::Success(batch_append_resp::Success {
                current_revision_option: Some(match outcome.current_revision {
                    CurrentRevision::Current(revision) => {
                        CurrentRevisionOption::CurrentRevision(revision)
                    }
                    CurrentRevision::NoStream => CurrentRevisionOption::NoStream(()),
                }),
                position_option: Some(match outcome.position {
                    Some(position) => PositionOption::Position(AllStreamPosition {
                        commit_position: position,
                        prepare_position: position,
                    }),
                    None => PositionOption::NoPosition(()),
                }),
            }),
            Err(error) => batch_append_resp::Result::Error(rpc_status(error, &batch.stream)),
        };
        BatchAppendResp {
            correlation_id: Some(batch.correlation),
            result: Some(result),
            stream_identifier: Some(stream_identifier(&batch.stream)),
            expected_stream_position: batch.expected_option,
        }
    }
}

/// A storage error as a `google.rpc.Status` with its detail message packed.
fn rpc_status(error: StoreError, stream: &str) -> crate::proto::google_rpc::Status {
    use prost::Message;
    let details = match &error {
        StoreError::WrongExpectedVersion { current, expected } => {
            use crate::proto::shared::wrong_expected_version::{
                CurrentStreamRevisionOption, ExpectedStreamPositionOption,
            };
            let detail = crate::proto::shared::WrongExpectedVersion {
                current_stream_revision_option: Some(match current {
                    CurrentRevision::Current(revision) => {
                        CurrentStreamRevisionOption::CurrentStreamRevision(*revision)
                    }
                    CurrentRevision::NoStream => CurrentStreamRevisionOption::CurrentNoStream(()),
                }),
                expected_stream_position_option: Some(match expected {
                    ExpectedRevision::Exact(revision) => {
                        ExpectedStreamPositionOption::ExpectedStreamPosition(*revision)
                    }
                    ExpectedRevision::Any => ExpectedStreamPositionOption::ExpectedAny(()),
                    ExpectedRevision::StreamExists => {
                        ExpectedStreamPositionOption::ExpectedStreamExists(())
                    }
                    ExpectedRevision::NoStream => {
                        ExpectedStreamPositionOption::ExpectedNoStream(())
                    }
                }),
            };
            Some((
                "event_store.client.WrongExpectedVersion",
                detail.encode_to_vec(),
            ))
        }
        StoreError::StreamDeleted(name) => {
            let detail = crate::proto::shared::StreamDeleted {
                stream_identifier: Some(stream_identifier(name)),
            };
            Some(("event_store.client.StreamDeleted", detail.encode_to_vec()))
        }
        StoreError::BadRequest(message) => {
            let detail = crate::proto::shared::BadRequest {
                message: message.clone(),
            };
            Some(("event_store.client.BadRequest", detail.encode_to_vec()))
        }
        _ => None,
    };
    let status = errors::status(error, stream);
    crate::proto::google_rpc::Status {
        code: status.code() as i32,
        message: status.message().to_owned(),
        details: details.map(|(name, value)| prost_types::Any {
            type_url: format!("type.googleapis.com/{name}"),
            value,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::shared::{Uuid as ProtoUuid, uuid};

    fn correlation(n: u128) -> ProtoUuid {
        ProtoUuid {
            value: Some(uuid::Value::String(::uuid::Uuid::from_u128(n).to_string())),
        }
    }

    /// The first, unfinished part of a batch on stream `batched-{n}`.
    fn opening_part(n: u128) -> BatchAppendReq {
        BatchAppendReq {
            correlation_id: Some(correlation(n)),
            options: Some(batch_append_req::Options {
                stream_identifier: Some(stream_identifier(&format!("batched-{n}"))),
                expected_stream_position: Some(
                    batch_append_req::options::ExpectedStreamPosition::Any(()),
                ),
                deadline_option: None,
            }),
            proposed_messages: Vec::new(),
            is_final: false,
        }
    }

    fn service(directory: &std::path::Path, cap: usize) -> StreamsService {
        let storage = Storage::open(directory).expect("the storage opens");
        StreamsService::new(storage, 1 << 20, cap, std::time::Duration::from_secs(5))
    }

    #[tokio::test]
    async fn unfinished_batches_past_the_cap_are_refused() {
        let directory = tempfile::tempdir().expect("a temporary folder");
        let service = service(directory.path(), 2);
        let mut pending = HashMap::new();
        for n in 0..2 {
            let part = service.batch_part(&mut pending, opening_part(n));
            assert!(matches!(part, Ok(None)), "{part:?}");
        }
        let refused = service
            .batch_part(&mut pending, opening_part(2))
            .expect_err("a third unfinished batch is past the cap");
        assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
        assert!(
            refused.message().contains("batches are pending"),
            "{refused:?}"
        );
        // The parts of a batch already pending are still taken.
        let mut closing = opening_part(1);
        closing.options = None;
        closing.is_final = true;
        let whole = service
            .batch_part(&mut pending, closing)
            .expect("the part is taken");
        assert_eq!(
            whole.map(|batch| batch.stream).as_deref(),
            Some("batched-1")
        );
        assert_eq!(pending.len(), 1);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever bytes arrive as a read, an append's first message or a
        /// batch append's, decoding and validating them answers a request
        /// or a status, never a panic.
        #[test]
        fn no_request_bytes_make_decoding_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            use prost::Message;
            if let Ok(read) = crate::proto::streams::ReadReq::decode(bytes.as_slice()) {
                drop(ReadPlan::parse(read.options));
            }
            if let Ok(AppendReq {
                content: Some(append_req::Content::ProposedMessage(message)),
            }) = AppendReq::decode(bytes.as_slice())
            {
                drop(proposed_event(
                    message.id,
                    message.metadata,
                    message.custom_metadata,
                    message.data,
                ));
            }
            if let Ok(batch) = BatchAppendReq::decode(bytes.as_slice()) {
                let service = BATCHES.with(|service| service.clone());
                drop(service.batch_part(&mut HashMap::new(), batch));
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// A read of `$all` with any filter a client may send (any regex,
        /// any prefixes, any window and checkpoint multiplier, any count)
        /// is planned or refused with a status, never a panic.
        #[test]
        fn no_filter_of_a_read_makes_planning_panic(
            regex in "\\PC{0,40}",
            prefixes in proptest::collection::vec("\\PC{0,12}", 0..4),
            on_types in proptest::prelude::any::<bool>(),
            window in proptest::prelude::any::<Option<u32>>(),
            multiplier in proptest::prelude::any::<u32>(),
            count in proptest::prelude::any::<u64>(),
        ) {
            use crate::proto::streams::read_req::options::{
                AllOptions, CountOption, FilterOption, FilterOptions, StreamOption, all_options,
                filter_options,
            };
            let expression = filter_options::Expression { regex, prefix: prefixes };
            let filter = FilterOptions {
                checkpoint_interval_multiplier: multiplier,
                filter: Some(if on_types {
                    filter_options::Filter::EventType(expression)
                } else {
                    filter_options::Filter::StreamIdentifier(expression)
                }),
                window: Some(window.map_or(
                    filter_options::Window::Count(Empty {}),
                    filter_options::Window::Max,
                )),
            };
            let options = crate::proto::streams::read_req::Options {
                stream_option: Some(StreamOption::All(AllOptions {
                    all_option: Some(all_options::AllOption::Start(Empty {})),
                })),
                count_option: Some(CountOption::Count(count)),
                filter_option: Some(FilterOption::Filter(filter)),
                ..Default::default()
            };
            drop(ReadPlan::parse(Some(options)));
        }
    }

    thread_local! {
        /// One service over a temporary store for the property's cases.
        static BATCHES: StreamsService = {
            let directory = tempfile::tempdir().expect("a temporary folder").keep();
            service(&directory, 4)
        };
    }

    #[test]
    fn a_whole_batch_needs_a_place_beside_the_committing_and_unfinished_ones() {
        let committing = std::sync::Arc::new(tokio::sync::Semaphore::new(2));
        let first = pending_places(&committing, 2, 0, None).expect("a first place");
        // One committing, one unfinished: no place for another.
        let refused = pending_places(&committing, 2, 1, None).expect_err("no place is left");
        assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
        let second = pending_places(&committing, 2, 0, None).expect("a second place");
        assert!(pending_places(&committing, 2, 0, None).is_err());
        drop(first);
        drop(second);
        assert!(pending_places(&committing, 2, 1, None).is_ok());
    }
}
