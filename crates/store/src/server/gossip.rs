//! `Gossip.Read`: the members of the cluster, for clients that discover
//! nodes (`esdb+discover://`, or more than one host in a connection
//! string). This store is a cluster of one, so it answers with one member:
//! itself, alive and leader, at the host and port the client reached it on
//! (the request's authority), so that a client connects back the way it came.

use std::net::SocketAddr;
use std::task::{Context, Poll};

use tonic::codegen::{Service, http};
use tonic::server::NamedService;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use super::convert::{UuidFormat, uuid_to_proto};
use crate::proto::gossip::gossip_server::Gossip;
use crate::proto::gossip::{ClusterInfo, EndPoint, MemberInfo, member_info};
use crate::proto::shared::Empty;
use crate::storage::now_ticks;

/// The host and port a request was sent to, as its client named them.
#[derive(Debug, Clone)]
struct Authority(http::uri::Authority);

/// Passes the request's authority to the service it wraps, which tonic's
/// `Request` does not carry otherwise.
#[derive(Debug, Clone)]
pub(crate) struct WithAuthority<S>(pub(crate) S);

impl<S, B> Service<http::Request<B>> for WithAuthority<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(context)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        if let Some(authority) = request.uri().authority().cloned() {
            request.extensions_mut().insert(Authority(authority));
        }
        self.0.call(request)
    }
}

impl<S: NamedService> NamedService for WithAuthority<S> {
    const NAME: &'static str = S::NAME;
}

/// The gossip of a cluster of one.
pub(crate) struct GossipService {
    /// This node's id for as long as it runs, as KurrentDB's instance id.
    instance: Uuid,
    /// Where the store listens, for a request that names no authority.
    listen: SocketAddr,
}

impl GossipService {
    pub(crate) fn new(listen: SocketAddr) -> Self {
        GossipService {
            instance: Uuid::new_v4(),
            listen,
        }
    }

    /// Where clients should connect: the authority they used, else the
    /// listening address.
    fn endpoint(&self, authority: Option<&Authority>) -> EndPoint {
        let fallback = || EndPoint {
            address: self.listen.ip().to_string(),
            port: u32::from(self.listen.port()),
        };
        let Some(Authority(authority)) = authority else {
            return fallback();
        };
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        match authority.port_u16() {
            Some(port) => EndPoint {
                address: host.to_owned(),
                port: u32::from(port),
            },
            None => fallback(),
        }
    }
}

#[tonic::async_trait]
impl Gossip for GossipService {
    async fn read(&self, request: Request<Empty>) -> Result<Response<ClusterInfo>, Status> {
        let endpoint = self.endpoint(request.extensions().get::<Authority>());
        let member = MemberInfo {
            instance_id: Some(uuid_to_proto(self.instance, UuidFormat::String)),
            time_stamp: now_ticks(),
            state: member_info::VNodeState::Leader as i32,
            is_alive: true,
            http_end_point: Some(endpoint),
        };
        Ok(Response::new(ClusterInfo {
            members: vec![member],
        }))
    }
}
