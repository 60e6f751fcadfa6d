//! The `PersistentSubscriptions` service: subscription groups on a stream
//! or on `$all` (filtered or not) whose position, retries and parked
//! messages the store keeps, shared among the group's consumers.
//!
//! Each group runs as one task ([`group`]) that owns its state; the
//! [`subsystem`] keeps the set of groups and their definitions; [`read`]
//! joins a consumer's call to its group. Definitions, checkpoints and parked
//! messages live beside the events through `Storage::put_state`, so a group
//! survives restarts and resumes after its last checkpoint.

mod definition;
mod error;
mod group;
mod read;
mod stored;
mod subsystem;

use std::sync::Arc;

use tonic::{Request, Response, Status, Streaming};

use crate::proto::persistent_subscriptions::persistent_subscriptions_server::PersistentSubscriptions;
use crate::proto::persistent_subscriptions::{
    CreateReq, CreateResp, DeleteReq, DeleteResp, GetInfoReq, GetInfoResp, ListReq, ListResp,
    ReadReq, ReplayParkedReq, ReplayParkedResp, UpdateReq, UpdateResp, delete_req, get_info_req,
    list_req, replay_parked_req, update_req,
};
use crate::proto::shared::Empty;
use crate::storage::{Storage, StoreError};
use definition::{Definition, GroupId, Source};
use error::PersistentError;
use subsystem::Subsystem;

/// The service over one storage engine; cheap to clone.
#[derive(Clone)]
pub(crate) struct PersistentSubscriptionsService {
    subsystem: Arc<Subsystem>,
}

impl PersistentSubscriptionsService {
    /// Loads the stored groups and starts them.
    pub(crate) async fn start(storage: Storage) -> Result<Self, StoreError> {
        Ok(PersistentSubscriptionsService {
            subsystem: Arc::new(Subsystem::start(storage).await?),
        })
    }
}

fn no_options() -> PersistentError {
    PersistentError::InvalidRequest("The request has no options.".into())
}

#[tonic::async_trait]
impl PersistentSubscriptions for PersistentSubscriptionsService {
    async fn create(&self, request: Request<CreateReq>) -> Result<Response<CreateResp>, Status> {
        let definition = Definition::from_create(request.into_inner().options)?;
        self.subsystem.create(definition).await?;
        Ok(Response::new(CreateResp {}))
    }

    async fn update(&self, request: Request<UpdateReq>) -> Result<Response<UpdateResp>, Status> {
        use update_req::options::StreamOption;
        let options = request.into_inner().options.ok_or_else(no_options)?;
        let source = match &options.stream_option {
            Some(StreamOption::Stream(stream)) => {
                Source::from_identifier(stream.stream_identifier.clone())?
            }
            Some(StreamOption::All(_)) => Source::All,
            None => Source::from_identifier(options.stream_identifier.clone())?,
        };
        let id = GroupId::new(source, options.group_name.clone())?;
        self.subsystem.update(id, options).await?;
        Ok(Response::new(UpdateResp {}))
    }

    async fn delete(&self, request: Request<DeleteReq>) -> Result<Response<DeleteResp>, Status> {
        use delete_req::options::StreamOption;
        let options = request.into_inner().options.ok_or_else(no_options)?;
        let source = match options.stream_option {
            Some(StreamOption::StreamIdentifier(stream)) => Source::from_identifier(Some(stream))?,
            Some(StreamOption::All(Empty {})) => Source::All,
            None => Source::from_identifier(None)?,
        };
        self.subsystem
            .delete(GroupId::new(source, options.group_name)?)
            .await?;
        Ok(Response::new(DeleteResp {}))
    }

    type ReadStream = read::ReadResponses;

    async fn read(
        &self,
        request: Request<Streaming<ReadReq>>,
    ) -> Result<Response<Self::ReadStream>, Status> {
        Ok(Response::new(read::read(&self.subsystem, request).await?))
    }

    async fn get_info(
        &self,
        request: Request<GetInfoReq>,
    ) -> Result<Response<GetInfoResp>, Status> {
        use get_info_req::options::StreamOption;
        let options = request.into_inner().options.ok_or_else(no_options)?;
        let source = match options.stream_option {
            Some(StreamOption::StreamIdentifier(stream)) => Source::from_identifier(Some(stream))?,
            Some(StreamOption::All(Empty {})) => Source::All,
            None => Source::from_identifier(None)?,
        };
        let info = self
            .subsystem
            .info(&GroupId::new(source, options.group_name)?)
            .await?;
        Ok(Response::new(GetInfoResp {
            subscription_info: Some(info),
        }))
    }

    async fn replay_parked(
        &self,
        request: Request<ReplayParkedReq>,
    ) -> Result<Response<ReplayParkedResp>, Status> {
        use replay_parked_req::options::{StopAtOption, StreamOption};
        let options = request.into_inner().options.ok_or_else(no_options)?;
        let source = match options.stream_option {
            Some(StreamOption::StreamIdentifier(stream)) => Source::from_identifier(Some(stream))?,
            Some(StreamOption::All(Empty {})) => Source::All,
            None => Source::from_identifier(None)?,
        };
        let stop_at = match options.stop_at_option {
            Some(StopAtOption::StopAt(count)) => Some(usize::try_from(count).map_err(|_| {
                PersistentError::InvalidRequest(format!(
                    "stop_at is {count}; it cannot be negative."
                ))
            })?),
            Some(StopAtOption::NoLimit(Empty {})) | None => None,
        };
        self.subsystem
            .replay_parked(&GroupId::new(source, options.group_name)?, stop_at)
            .await?;
        Ok(Response::new(ReplayParkedResp {}))
    }

    async fn list(&self, request: Request<ListReq>) -> Result<Response<ListResp>, Status> {
        use list_req::options::ListOption;
        use list_req::stream_option::StreamOption;
        let options = request.into_inner().options.ok_or_else(no_options)?;
        let source = match options.list_option {
            Some(ListOption::ListAllSubscriptions(Empty {})) | None => None,
            Some(ListOption::ListForStream(list_req::StreamOption { stream_option })) => {
                Some(match stream_option {
                    Some(StreamOption::Stream(stream)) => Source::from_identifier(Some(stream))?,
                    Some(StreamOption::All(Empty {})) => Source::All,
                    None => Source::from_identifier(None)?,
                })
            }
        };
        let subscriptions = self.subsystem.list(source.as_ref()).await;
        Ok(Response::new(ListResp { subscriptions }))
    }

    async fn restart_subsystem(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        self.subsystem.restart().await?;
        Ok(Response::new(Empty {}))
    }
}
