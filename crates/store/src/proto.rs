//! Types generated from the project's `.proto` files (the EventStoreDB wire
//! protocol). The modules nest as the protobuf packages do, since the
//! generated code names other packages by relative paths.

#![allow(clippy::all, clippy::pedantic, missing_docs, dead_code)]

pub mod event_store {
    pub mod client {
        tonic::include_proto!("event_store.client");

        pub mod streams {
            tonic::include_proto!("event_store.client.streams");
        }

        pub mod server_features {
            tonic::include_proto!("event_store.client.server_features");
        }

        pub mod persistent_subscriptions {
            tonic::include_proto!("event_store.client.persistent_subscriptions");
        }

        pub mod gossip {
            tonic::include_proto!("event_store.client.gossip");
        }
    }
}

pub mod google {
    pub mod rpc {
        tonic::include_proto!("google.rpc");
    }
}

pub use event_store::client as shared;
pub use event_store::client::{gossip, persistent_subscriptions, server_features, streams};
pub use google::rpc as google_rpc;
