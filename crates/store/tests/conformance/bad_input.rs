//! Malformed and hostile input: a clear gRPC status, nothing written, and a
//! server that goes on serving.

use std::collections::HashMap;
use std::time::Duration;

use bytes::{Buf, BufMut};
use futures::StreamExt;
use kurrentdb::{AppendToStreamOptions, StreamState};
use prost::Message;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::{Code, Status};

use crate::support::{TestStore, event, number, soon, stream};

/// Sends and receives raw bytes, to put malformed messages on the wire.
#[derive(Debug, Clone, Default)]
struct RawCodec;

#[derive(Debug, Clone, Default)]
struct RawEncoder;

#[derive(Debug, Clone, Default)]
struct RawDecoder;

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, buffer: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buffer.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, buffer: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let bytes = buffer.copy_to_bytes(buffer.remaining());
        Ok(Some(bytes.to_vec()))
    }
}

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }

    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

// The few wire messages these tests build by hand (field numbers of the
// EventStoreDB protocol; a oneof member is encoded like a plain field).
#[derive(Clone, PartialEq, Message)]
struct StreamIdentifier {
    #[prost(bytes = "vec", tag = "3")]
    stream_name: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
struct Empty {}

#[derive(Clone, PartialEq, Message)]
struct AppendOptions {
    #[prost(message, optional, tag = "1")]
    stream_identifier: Option<StreamIdentifier>,
    #[prost(message, optional, tag = "4")]
    any: Option<Empty>,
}

#[derive(Clone, PartialEq, Message)]
struct WireUuid {
    #[prost(string, tag = "2")]
    string: String,
}

#[derive(Clone, PartialEq, Message)]
struct Proposed {
    #[prost(message, optional, tag = "1")]
    id: Option<WireUuid>,
    #[prost(map = "string, string", tag = "2")]
    metadata: HashMap<String, String>,
    #[prost(bytes = "vec", tag = "3")]
    custom_metadata: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    data: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
struct AppendOptionsMessage {
    #[prost(message, optional, tag = "1")]
    options: Option<AppendOptions>,
}

#[derive(Clone, PartialEq, Message)]
struct ProposedMessage {
    #[prost(message, optional, tag = "2")]
    proposed: Option<Proposed>,
}

fn options_for(stream: &[u8]) -> Vec<u8> {
    AppendOptionsMessage {
        options: Some(AppendOptions {
            stream_identifier: Some(StreamIdentifier {
                stream_name: stream.to_vec(),
            }),
            any: Some(Empty {}),
        }),
    }
    .encode_to_vec()
}

fn proposed(metadata: &[(&str, &str)]) -> Vec<u8> {
    ProposedMessage {
        proposed: Some(Proposed {
            id: Some(WireUuid {
                string: uuid::Uuid::new_v4().to_string(),
            }),
            metadata: metadata
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            custom_metadata: Vec::new(),
            data: b"{}".to_vec(),
        }),
    }
    .encode_to_vec()
}

async fn raw_client(store: &TestStore) -> tonic::client::Grpc<tonic::transport::Channel> {
    let address = store
        .server
        .as_ref()
        .expect("raw tests run against the embedded store")
        .local_addr();
    let channel = tonic::transport::Channel::from_shared(format!("http://{address}"))
        .unwrap()
        .connect()
        .await
        .expect("connect");
    tonic::client::Grpc::new(channel)
}

async fn raw_append(store: &TestStore, messages: Vec<Vec<u8>>) -> Status {
    let mut client = raw_client(store).await;
    client.ready().await.unwrap();
    let path = tonic::codegen::http::uri::PathAndQuery::from_static(
        "/event_store.client.streams.Streams/Append",
    );
    let request = tonic::Request::new(futures::stream::iter(messages));
    match client.client_streaming(request, path, RawCodec).await {
        Ok(response) => panic!(
            "expected an error, got {} response bytes",
            response.into_inner().len()
        ),
        Err(status) => status,
    }
}

#[tokio::test]
async fn malformed_messages_are_refused_and_the_server_keeps_serving() {
    let store = TestStore::start().await;
    let mut client = raw_client(&store).await;
    client.ready().await.unwrap();
    let read = tonic::codegen::http::uri::PathAndQuery::from_static(
        "/event_store.client.streams.Streams/Read",
    );
    let garbage = vec![0xff, 0xff, 0xff, 0xff, 0x0f];
    let status = client
        .server_streaming(tonic::Request::new(garbage.clone()), read, RawCodec)
        .await
        .unwrap_err();
    assert!(
        matches!(status.code(), Code::Internal | Code::InvalidArgument),
        "{status:?}"
    );
    assert!(
        status.message().to_lowercase().contains("decode"),
        "{}",
        status.message()
    );

    let name = stream("garbage");
    let status = raw_append(&store, vec![options_for(name.as_bytes()), garbage]).await;
    assert!(
        matches!(status.code(), Code::Internal | Code::InvalidArgument),
        "{status:?}"
    );

    // An empty request for a method with required options.
    client.ready().await.unwrap();
    let delete = tonic::codegen::http::uri::PathAndQuery::from_static(
        "/event_store.client.streams.Streams/Delete",
    );
    let status = client
        .unary(tonic::Request::new(Vec::new()), delete, RawCodec)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");

    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 1))
        .await
        .unwrap();
    assert_eq!(number(&store.read_stream(&name).await.unwrap()[0]), 1);
}

#[tokio::test]
async fn events_without_a_type_or_content_type_are_refused_and_nothing_is_written() {
    let store = TestStore::start().await;
    let name = stream("untyped");
    let good = proposed(&[("type", "A"), ("content-type", "application/json")]);
    let no_type = proposed(&[("content-type", "application/json")]);
    let no_content_type = proposed(&[("type", "A")]);
    for bad in [no_type, no_content_type] {
        let status = raw_append(
            &store,
            vec![options_for(name.as_bytes()), good.clone(), bad],
        )
        .await;
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    }
    let status = raw_append(&store, vec![good.clone()]).await;
    assert_eq!(
        status.code(),
        Code::InvalidArgument,
        "an append must start with its options: {status:?}"
    );
    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));
}

#[tokio::test]
async fn empty_non_utf8_and_reserved_stream_names_are_refused() {
    let store = TestStore::start().await;
    let empty = store
        .client
        .append_to_stream("", &AppendToStreamOptions::default(), event("A", 0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            empty,
            kurrentdb::Error::Grpc {
                code: Code::InvalidArgument,
                ..
            }
        ),
        "{empty:?}"
    );

    let all = store
        .client
        .append_to_stream("$all", &AppendToStreamOptions::default(), event("A", 0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            all,
            kurrentdb::Error::Grpc {
                code: Code::InvalidArgument,
                ..
            }
        ),
        "{all:?}"
    );

    let good = proposed(&[("type", "A"), ("content-type", "application/json")]);
    let status = raw_append(&store, vec![options_for(&[0xc3, 0x28]), good]).await;
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
}

#[tokio::test]
async fn odd_but_valid_stream_names_are_kept_as_given() {
    let store = TestStore::start().await;
    let long = "长".repeat(2_000);
    let names = [
        format!("求职者-{}", uuid::Uuid::new_v4()),
        format!("with spaces/and:colons?{}", uuid::Uuid::new_v4()),
        format!("$system-like-{}", uuid::Uuid::new_v4()),
        long,
    ];
    for name in &names {
        store
            .client
            .append_to_stream(
                name.as_str(),
                &AppendToStreamOptions::default().stream_state(StreamState::NoStream),
                event("A", 7),
            )
            .await
            .unwrap();
        let events = store.read_stream(name).await.unwrap();
        assert_eq!(events[0].get_original_stream_id(), name);
    }
}

#[tokio::test]
async fn a_client_that_disconnects_mid_append_leaves_nothing_written() {
    let store = TestStore::start().await;
    let name = stream("half");
    let server = store
        .server
        .as_ref()
        .expect("the embedded store")
        .local_addr();

    // The client goes through a proxy whose connection is cut mid-append, as
    // when a client process dies: the server sees the TCP connection end with
    // the append's request stream still open.
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_address = proxy.local_addr().unwrap();
    let relay = tokio::spawn(async move {
        let (mut inbound, _) = proxy.accept().await.unwrap();
        let mut outbound = tokio::net::TcpStream::connect(server).await.unwrap();
        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
    });
    let channel = tonic::transport::Channel::from_shared(format!("http://{proxy_address}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = tonic::client::Grpc::new(channel);
    client.ready().await.unwrap();
    let good = proposed(&[("type", "A"), ("content-type", "application/json")]);
    let first = vec![options_for(name.as_bytes()), good.clone(), good];
    // The request stream sends two events and then never finishes.
    let messages = futures::stream::iter(first).chain(futures::stream::pending());
    let path = tonic::codegen::http::uri::PathAndQuery::from_static(
        "/event_store.client.streams.Streams/Append",
    );
    let call = tokio::spawn(async move {
        client
            .client_streaming(tonic::Request::new(messages), path, RawCodec)
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    relay.abort();
    let _ = relay.await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let read = store.read_stream(&name).await;
    assert!(
        matches!(read, Err(kurrentdb::Error::ResourceNotFound)),
        "{read:?}"
    );
    // The server is unaffected.
    soon(
        store
            .client
            .append_to_stream(name.as_str(), &Default::default(), event("A", 0)),
    )
    .await
    .unwrap();
    call.abort();
}

#[tokio::test]
async fn methods_not_served_answer_unimplemented_with_a_clear_message() {
    let store = TestStore::start().await;
    let mut client = raw_client(&store).await;
    for method in [
        "/event_store.client.users.Users/Details",
        "/event_store.client.operations.Operations/StartScavenge",
        "/event_store.client.projections.Projections/Create",
    ] {
        client.ready().await.unwrap();
        let path = tonic::codegen::http::uri::PathAndQuery::from_static(method);
        let status = soon(client.unary(tonic::Request::new(Vec::new()), path, RawCodec))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unimplemented, "{method}: {status:?}");
        assert!(
            status.message().contains("does not serve"),
            "{method}: {}",
            status.message()
        );
    }
}
