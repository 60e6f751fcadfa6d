//! `ServerFeatures.GetSupportedMethods`: what this store serves, so that
//! clients turn on the features they may use.

use tonic::{Request, Response, Status};

use crate::proto::server_features::server_features_server::ServerFeatures;
use crate::proto::server_features::{SupportedMethod, SupportedMethods};
use crate::proto::shared::Empty;

/// The server version reported: the protocol level this store matches.
pub const SERVER_VERSION: &str = "24.10.0";

const STREAMS: &str = "event_store.client.streams.streams";
const PERSISTENT: &str = "event_store.client.persistent_subscriptions.persistentsubscriptions";
const FEATURES: &str = "event_store.client.server_features.serverfeatures";
const GOSSIP: &str = "event_store.client.gossip.gossip";

/// Every method served, by service, with its features.
const SERVED: &[(&str, &str, &[&str])] = &[
    (STREAMS, "read", &["position", "events"]),
    (STREAMS, "append", &[]),
    (STREAMS, "batchappend", &[]),
    (STREAMS, "delete", &[]),
    (STREAMS, "tombstone", &[]),
    (PERSISTENT, "create", &["stream", "all"]),
    (PERSISTENT, "update", &["stream", "all"]),
    (PERSISTENT, "delete", &["stream", "all"]),
    (PERSISTENT, "read", &["stream", "all"]),
    (PERSISTENT, "getinfo", &["stream", "all"]),
    (PERSISTENT, "replayparked", &["stream", "all"]),
    (PERSISTENT, "list", &["stream", "all"]),
    (PERSISTENT, "restartsubsystem", &[]),
    (FEATURES, "getsupportedmethods", &[]),
    (GOSSIP, "read", &[]),
];

pub(crate) struct FeaturesService;

#[tonic::async_trait]
impl ServerFeatures for FeaturesService {
    async fn get_supported_methods(
        &self,
        _request: Request<Empty>,
    ) -> Result<Response<SupportedMethods>, Status> {
        let methods = SERVED
            .iter()
            .map(|(service, method, features)| SupportedMethod {
                method_name: (*method).to_owned(),
                service_name: (*service).to_owned(),
                features: features
                    .iter()
                    .map(|feature| (*feature).to_owned())
                    .collect(),
            })
            .collect();
        Ok(Response::new(SupportedMethods {
            methods,
            event_store_server_version: SERVER_VERSION.to_owned(),
        }))
    }
}
