//! Starting a store for a test and small helpers around the client.

use std::time::Duration;

use kurrentdb::{
    Client, EventData, ReadAllOptions, ReadStreamOptions, ResolvedEvent, StreamPosition,
};
use labex_eventstore::{RunningServer, ServerConfig};

/// A store for one test: Labex's own on a free port, or the server named by
/// `LABEX_CONFORMANCE_URL`.
pub struct TestStore {
    pub client: Client,
    pub server: Option<RunningServer>,
    _data: tempfile::TempDir,
}

impl TestStore {
    pub async fn start() -> TestStore {
        Self::start_with(|config| config).await
    }

    pub async fn start_with(configure: impl FnOnce(ServerConfig) -> ServerConfig) -> TestStore {
        let data = tempfile::tempdir().expect("a temporary folder");
        let (server, connection_string) = match std::env::var("LABEX_CONFORMANCE_URL") {
            Ok(url) => (None, url),
            Err(_) => {
                let config = configure(ServerConfig::new(
                    data.path(),
                    "127.0.0.1:0".parse().unwrap(),
                ));
                let server = RunningServer::start(config)
                    .await
                    .expect("the store starts");
                let connection_string = server.connection_string();
                (Some(server), connection_string)
            }
        };
        let client = Client::new(
            connection_string
                .parse()
                .expect("a valid connection string"),
        )
        .expect("a client");
        TestStore {
            client,
            server,
            _data: data,
        }
    }

    /// Events of a stream, forwards from the start.
    pub async fn read_stream(&self, stream: &str) -> Result<Vec<ResolvedEvent>, kurrentdb::Error> {
        let mut read = self
            .client
            .read_stream(stream, &ReadStreamOptions::default())
            .await?;
        let mut events = Vec::new();
        while let Some(event) = read.next().await? {
            events.push(event);
        }
        Ok(events)
    }

    /// Events of a stream read with the given options.
    pub async fn read_stream_with(
        &self,
        stream: &str,
        options: &ReadStreamOptions,
    ) -> Result<Vec<ResolvedEvent>, kurrentdb::Error> {
        let mut read = self.client.read_stream(stream, options).await?;
        let mut events = Vec::new();
        while let Some(event) = read.next().await? {
            events.push(event);
        }
        Ok(events)
    }

    /// Events of `$all` read with the given options.
    pub async fn read_all_with(&self, options: &ReadAllOptions) -> Vec<ResolvedEvent> {
        let mut read = self.client.read_all(options).await.expect("read $all");
        let mut events = Vec::new();
        while let Some(event) = read.next().await.expect("next event of $all") {
            events.push(event);
        }
        events
    }

    /// Every event of `$all` from the start.
    pub async fn read_all(&self) -> Vec<ResolvedEvent> {
        self.read_all_with(&ReadAllOptions::default().position(StreamPosition::Start))
            .await
    }
}

/// A stream name no other test uses.
pub fn stream(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// A JSON event of a type with a number in it.
pub fn event(event_type: &str, number: u64) -> EventData {
    EventData::json(event_type, &serde_json::json!({ "n": number })).expect("serialisable")
}

/// The `n` of an event made by [`event`].
pub fn number(event: &ResolvedEvent) -> u64 {
    let value: serde_json::Value = event.get_original_event().as_json().expect("JSON data");
    value["n"].as_u64().expect("a number")
}

/// Waits at most a few seconds for a future, so a missing event fails the test instead of hanging it.
pub async fn soon<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .expect("the server answered within 10 s")
}
