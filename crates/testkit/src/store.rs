//! The embedded event store, served on a free loopback port in the test's
//! own process.

use kurrentdb::{Client, ReadAllOptions, StreamPosition};
use labex_eventstore::{RunningServer, ServerConfig};

/// A running store and its data folder (removed when dropped).
pub struct Store {
    server: Option<RunningServer>,
    client: Client,
    _data: tempfile::TempDir,
}

impl Store {
    /// Starts a store on a fresh folder and a free port.
    pub async fn start() -> Self {
        let data = crate::temporary_folder("labex-test-store-");
        let address = "127.0.0.1:0".parse().expect("an address");
        let server = RunningServer::start(ServerConfig::new(data.path(), address))
            .await
            .expect("the event store starts");
        let client = Client::new(
            server
                .connection_string()
                .parse()
                .expect("the store's connection string parses"),
        )
        .expect("a client");
        Self {
            server: Some(server),
            client,
            _data: data,
        }
    }

    /// What a process is given as `LABEX_EVENTSTORE`.
    pub fn url(&self) -> String {
        let server = self.server.as_ref().expect("the store runs");
        format!(
            "esdb://{}?tls=false&discoveryInterval=10",
            server.local_addr()
        )
    }

    /// A client of it.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Stops it.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

/// How many events of `$all` are not the store's own (`$`-prefixed types),
/// optionally only those of streams starting with `prefix`.
pub async fn event_count(client: &Client, prefix: Option<&str>) -> usize {
    let options = ReadAllOptions::default()
        .position(StreamPosition::Start)
        .max_count(usize::MAX);
    let mut stream = client.read_all(&options).await.expect("a read of $all");
    let mut count = 0;
    while let Some(event) = stream.next().await.expect("a read of $all") {
        let recorded = event.get_original_event();
        if recorded.event_type.starts_with('$') || recorded.stream_id().starts_with('$') {
            continue;
        }
        if prefix.is_none_or(|prefix| recorded.stream_id().starts_with(prefix)) {
            count += 1;
        }
    }
    count
}
