//! The embedded event store, served on a free loopback port in the test's
//! own process.

use kurrentdb::{Client, ReadAllOptions, StreamPosition};
use labex_eventstore::{RunningServer, ServerConfig};

/// A running store and its data folder (removed when dropped).
///
/// The store serves from a thread and runtime of its own, not the test's:
/// a test that waits synchronously for a child process (which may call
/// the store before it is ready) must not stall the store it calls.
pub struct Store {
    server: Option<ServerThread>,
    address: std::net::SocketAddr,
    client: Client,
    _data: tempfile::TempDir,
}

/// The thread serving the store, and how to stop it.
struct ServerThread {
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Store {
    /// Starts a store on a fresh folder and a free port.
    pub async fn start() -> Self {
        let data = crate::temporary_folder("labex-test-store-");
        let folder = data.path().to_owned();
        let (ready, started) = std::sync::mpsc::channel();
        let (stop, stopping) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("the store's runtime");
            runtime.block_on(async move {
                let address = "127.0.0.1:0".parse().expect("an address");
                let server = RunningServer::start(ServerConfig::new(&folder, address))
                    .await
                    .expect("the event store starts");
                let _ = ready.send((server.connection_string(), server.local_addr()));
                let _ = stopping.await;
                server.shutdown().await;
            });
        });
        let (connection_string, address) = tokio::task::spawn_blocking(move || started.recv())
            .await
            .expect("the store's start is awaited")
            .expect("the event store starts");
        let client = Client::new(
            connection_string
                .parse()
                .expect("the store's connection string parses"),
        )
        .expect("a client");
        Self {
            server: Some(ServerThread { stop, thread }),
            address,
            client,
            _data: data,
        }
    }

    /// What a process is given as `LABEX_EVENTSTORE`.
    pub fn url(&self) -> String {
        format!("esdb://{}?tls=false&discoveryInterval=10", self.address)
    }

    /// A client of it.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Stops it.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.stop.send(());
            let _ = tokio::task::spawn_blocking(move || server.thread.join()).await;
        }
    }
}

impl Drop for Store {
    /// Tells the store to stop, without waiting for it (its clients may
    /// still hold connections that its grace period would wait out).
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.stop.send(());
        }
    }
}

/// Streams a process writes of itself rather than for a request.
const BOOKKEEPING: &[&str] = &["accesslog-", "jobseekerregistry-key"];

/// The category of a stream (`accesslog` of `accesslog-<uuid>`).
fn prefix_of(stream: &str) -> &str {
    stream.split('-').next().unwrap_or(stream)
}

/// How many events of `$all` are not the store's own (`$`-prefixed types)
/// nor bookkeeping (the access log, the registry key's fingerprint),
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
        // What the process writes of itself, not of a request: the access
        // log (written in the background, batched) and the registry key's
        // fingerprint (at first start). Counted only when asked for by
        // prefix.
        let own = BOOKKEEPING
            .iter()
            .any(|stream| recorded.stream_id().starts_with(stream));
        if own && prefix.is_none_or(|prefix| !prefix.starts_with(prefix_of(recorded.stream_id()))) {
            continue;
        }
        if prefix.is_none_or(|prefix| recorded.stream_id().starts_with(prefix)) {
            count += 1;
        }
    }
    count
}
