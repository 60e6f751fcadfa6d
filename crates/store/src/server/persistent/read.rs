//! `PersistentSubscriptions.Read`: a consumer joins a group, receives a
//! confirmation then events, and answers with acks and nacks on the same
//! call. A small task forwards its answers to the group and tells the group
//! when the consumer has gone (its requests end, or its call is dropped).

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Status, Streaming};
use uuid::Uuid;

use super::definition::{GroupId, Source};
use super::error::PersistentError;
use super::group::{
    Command, ConsumerId, NackAction, NewConsumer, RESPONSES_BEYOND_SLOTS, Responses,
};
use super::subsystem::Subsystem;
use crate::proto::persistent_subscriptions::read_req::{self, options};
use crate::proto::persistent_subscriptions::{ReadReq, ReadResp, read_resp};
use crate::proto::shared;
use crate::server::convert::{UuidFormat, uuid_from_proto};

/// Largest `buffer_size` honoured: events one consumer may have in flight.
const MAX_SLOTS: usize = 10_000;

pub(crate) type ReadResponses = ReceiverStream<Result<ReadResp, Status>>;

/// Answers a Read call: checks the options, joins the group, and returns
/// the stream of responses.
pub(crate) async fn read(
    subsystem: &Subsystem,
    request: Request<Streaming<ReadReq>>,
) -> Result<ReadResponses, Status> {
    let from = crate::server::connection::ConnectionInfo::of(request.extensions())
        .and_then(|connection| connection.remote())
        .map(|address| address.to_string())
        .unwrap_or_default();
    let connection_name = request
        .metadata()
        .get("connection-name")
        .and_then(|name| name.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut requests = request.into_inner();
    let options = match requests.message().await? {
        Some(ReadReq {
            content: Some(read_req::Content::Options(options)),
        }) => options,
        _ => {
            return Err(Status::invalid_argument(
                "A persistent subscription read starts with its options; send them first.",
            ));
        }
    };
    let source = match options.stream_option {
        Some(options::StreamOption::StreamIdentifier(identifier)) => {
            Source::from_identifier(Some(identifier))?
        }
        Some(options::StreamOption::All(shared::Empty {})) => Source::All,
        None => {
            return Err(PersistentError::InvalidRequest(
                "The read names neither a stream nor $all; name the group's source.".into(),
            )
            .into());
        }
    };
    let id = GroupId::new(source, options.group_name)?;
    let slots = match usize::try_from(options.buffer_size) {
        Ok(slots) if slots > 0 => slots.min(MAX_SLOTS),
        _ => {
            return Err(PersistentError::InvalidRequest(format!(
                "The buffer size is {}; it must be at least 1.",
                options.buffer_size
            ))
            .into());
        }
    };
    let uuid_format = match options.uuid_option.and_then(|option| option.content) {
        Some(options::uuid_option::Content::String(shared::Empty {})) => UuidFormat::String,
        _ => UuidFormat::Structured,
    };

    let (responses, receiver) = mpsc::channel(slots + RESPONSES_BEYOND_SLOTS);
    let confirmation = ReadResp {
        content: Some(read_resp::Content::SubscriptionConfirmation(
            read_resp::SubscriptionConfirmation {
                subscription_id: id.to_string(),
            },
        )),
    };
    responses
        .try_send(Ok(confirmation))
        .map_err(|_| Status::internal("the new response channel refused the confirmation"))?;
    let consumer = NewConsumer {
        responses: responses.clone(),
        slots,
        uuid_format,
        from,
        connection_name,
    };
    let (consumer, group) = subsystem.connect(&id, consumer).await?;
    tokio::spawn(forward_answers(
        requests,
        group.commands(),
        consumer,
        responses,
    ));
    Ok(ReceiverStream::new(receiver))
}

/// Forwards a consumer's acks and nacks to its group until either side ends.
async fn forward_answers(
    mut requests: Streaming<ReadReq>,
    group: mpsc::Sender<Command>,
    consumer: ConsumerId,
    responses: Responses,
) {
    loop {
        let request = tokio::select! {
            request = requests.message() => request,
            () = responses.closed() => break,
        };
        let command = match request {
            Ok(Some(ReadReq {
                content: Some(content),
            })) => match content {
                read_req::Content::Ack(ack) => Command::Ack {
                    ids: event_ids(ack.ids),
                },
                read_req::Content::Nack(nack) => Command::Nack {
                    consumer,
                    ids: event_ids(nack.ids),
                    action: nack_action(nack.action),
                    reason: nack.reason,
                },
                // Options again mean nothing once subscribed.
                read_req::Content::Options(_) => continue,
            },
            Ok(Some(ReadReq { content: None })) => continue,
            // The consumer has finished, or its call broke.
            Ok(None) | Err(_) => break,
        };
        if group.send(command).await.is_err() {
            // The group has stopped; it has ended the call already.
            return;
        }
    }
    drop(group.send(Command::Disconnect { consumer }).await);
}

/// The event ids an answer names; ids that are not UUIDs name nothing.
fn event_ids(ids: Vec<shared::Uuid>) -> Vec<Uuid> {
    ids.into_iter()
        .filter_map(|id| uuid_from_proto(Some(id)).ok())
        .collect()
}

fn nack_action(action: i32) -> NackAction {
    match read_req::nack::Action::try_from(action) {
        Ok(read_req::nack::Action::Park) => NackAction::Park,
        Ok(read_req::nack::Action::Skip) => NackAction::Skip,
        Ok(read_req::nack::Action::Stop) => NackAction::Stop,
        // Unknown (and anything newer) is a retry, as EventStoreDB has it.
        Ok(read_req::nack::Action::Retry | read_req::nack::Action::Unknown) | Err(_) => {
            NackAction::Retry
        }
    }
}
