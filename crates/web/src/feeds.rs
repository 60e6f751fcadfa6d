//! What every live feed (server-sent events) of a process shares: the
//! vacancy feed and each fair's feed are open to anyone, so they are
//! admitted within one set of bounds ([`FeedLimits`]: connections in all
//! and per address, past them a 429), read the store through a client of
//! their own (a reader that stops reading can never stall the process's
//! other store calls on a shared HTTP/2 connection), and queue what they
//! send in a [`FeedQueue`]: a reader that takes nothing for
//! [`FeedLimits::patience`] while its queue is full is sent a last
//! `lagged` event naming where to resume, and disconnected.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web::Bytes;
use futures::stream::{self, Stream, StreamExt};
use kurrentdb::{Client, Position};
use labex_app::Error;
use tokio::sync::{mpsc, oneshot};

use crate::{StartError, Starting};

/// The bounds of the live feeds, from the environment:
/// `LABEX_FEED_MAX_CONNECTIONS` (in all, default 1,000),
/// `LABEX_FEED_MAX_PER_ADDRESS` (default 16), `LABEX_FEED_MAX_BEHIND`
/// (items a reader may fall behind, default 1,000),
/// `LABEX_FEED_PATIENCE_MS` (how long a reader that far behind may take
/// nothing before it is disconnected, default 2,000) and
/// `LABEX_FEED_KEEPALIVE_SECONDS` (a comment sent when nothing else was,
/// default 15: proxies keep the connection, and a reader that went away is
/// noticed and its place given back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedLimits {
    pub connections: usize,
    pub per_address: usize,
    pub behind: usize,
    /// How long a feed waits for a reader `behind` items behind to take
    /// one: a reader catching up from far back (it reads as fast as it
    /// can, and the history comes faster) waits for room, one that stopped
    /// reading is let go.
    pub patience: Duration,
    pub keepalive: Duration,
}

impl Default for FeedLimits {
    fn default() -> Self {
        Self {
            connections: 1_000,
            per_address: 16,
            behind: 1_000,
            patience: Duration::from_secs(2),
            keepalive: Duration::from_secs(15),
        }
    }
}

impl FeedLimits {
    /// The defaults, overridden by the environment; a value that is not a
    /// positive whole number stops the start.
    pub fn from_env() -> Result<Self, StartError> {
        let defaults = Self::default();
        let read = |name: &str, default: u64| -> Result<u64, StartError> {
            match std::env::var(name) {
                Err(_) => Ok(default),
                Ok(text) => text
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|value| *value > 0)
                    .ok_or_else(|| format!("{name} must be a positive whole number, not {text:?}"))
                    .starting("the live feeds' limits are misconfigured"),
            }
        };
        let count = |name: &str, default: usize| -> Result<usize, StartError> {
            let value = read(name, default as u64)?;
            usize::try_from(value)
                .map_err(|_| format!("{name} is too large: {value}"))
                .starting("the live feeds' limits are misconfigured")
        };
        Ok(Self {
            connections: count("LABEX_FEED_MAX_CONNECTIONS", defaults.connections)?,
            per_address: count("LABEX_FEED_MAX_PER_ADDRESS", defaults.per_address)?,
            behind: count("LABEX_FEED_MAX_BEHIND", defaults.behind)?,
            patience: Duration::from_millis(read(
                "LABEX_FEED_PATIENCE_MS",
                defaults.patience.as_millis() as u64,
            )?),
            keepalive: Duration::from_secs(read(
                "LABEX_FEED_KEEPALIVE_SECONDS",
                defaults.keepalive.as_secs(),
            )?),
        })
    }
}

/// Admits the live feeds of a process within [`FeedLimits`], each reading
/// the store through the feeds' own client. Cheap to share (`Clone`).
#[derive(Clone)]
pub struct FeedGate {
    client: Client,
    limits: FeedLimits,
    open: Arc<Mutex<OpenFeeds>>,
}

#[derive(Debug, Default)]
struct OpenFeeds {
    total: usize,
    by_address: HashMap<Option<IpAddr>, usize>,
}

/// A live feed's place within the limits, given back when dropped (when
/// the response stream ends or its reader goes away).
pub struct FeedTicket {
    open: Arc<Mutex<OpenFeeds>>,
    address: Option<IpAddr>,
}

impl Drop for FeedTicket {
    fn drop(&mut self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(count) = open.by_address.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

impl FeedGate {
    /// A gate with a store client of its own, made from `settings_of`'s
    /// settings (a connection apart from the one commands use).
    pub fn new(settings_of: &Client, limits: FeedLimits) -> Result<Self, StartError> {
        let client = Client::new(settings_of.settings().clone())
            .starting("cannot make the live feeds' event store client")?;
        Ok(Self {
            client,
            limits,
            open: Arc::default(),
        })
    }

    /// The feeds' own store client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The bounds it admits within.
    pub fn limits(&self) -> FeedLimits {
        self.limits
    }

    /// How many live feeds are open now.
    pub fn open(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .total
    }

    /// A place for a reader at `address`, or a 429 when every place (in
    /// all, or of that address) is taken.
    pub fn admit(&self, address: Option<IpAddr>) -> labex_app::Result<FeedTicket> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let of_address = open.by_address.get(&address).copied().unwrap_or(0);
        if open.total >= self.limits.connections {
            return Err(Error::TooMany {
                detail: "The live feeds have as many readers as they serve; retry later, or read pages of JSON lines instead.".to_owned(),
            });
        }
        if of_address >= self.limits.per_address {
            return Err(Error::TooMany {
                detail: format!(
                    "Your address already holds {of_address} live feeds open, the most allowed; close one, or share one between your readers."
                ),
            });
        }
        open.total += 1;
        *open.by_address.entry(address).or_default() += 1;
        Ok(FeedTicket {
            open: self.open.clone(),
            address,
        })
    }

    /// A queue for an admitted reader and the response body that drains
    /// it; the body holds `ticket` until it ends.
    pub fn queue(
        &self,
        ticket: FeedTicket,
    ) -> (
        FeedQueue,
        impl Stream<Item = Result<Bytes, actix_web::Error>> + use<>,
    ) {
        let (sender, mut receiver) = mpsc::channel::<Bytes>(self.limits.behind.max(1));
        let (ending, ended) = oneshot::channel::<Bytes>();
        let queued = stream::poll_fn(move |context| receiver.poll_recv(context));
        let last =
            stream::once(async move { ended.await.ok() }).filter_map(|last| async move { last });
        let body = queued.chain(last).map(move |message| {
            // The body owns the ticket: the place is given back when the
            // response ends or its reader goes away.
            let _ = &ticket;
            Ok(message)
        });
        let queue = FeedQueue {
            sender,
            ending: Some(ending),
            patience: self.limits.patience,
            keepalive: self.limits.keepalive,
            last_sent: None,
        };
        (queue, body)
    }
}

/// What became of a message given to [`FeedQueue::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Queued for the reader.
    Queued,
    /// The reader went away.
    Gone,
    /// The queue stayed full for the limits' patience: the reader fell
    /// behind. The feed should [`lag`](FeedQueue::lag).
    Behind,
}

/// The sending side of a live feed: messages queued for one reader.
pub struct FeedQueue {
    sender: mpsc::Sender<Bytes>,
    ending: Option<oneshot::Sender<Bytes>>,
    patience: Duration,
    keepalive: Duration,
    last_sent: Option<Position>,
}

impl FeedQueue {
    /// Queues `message`, waiting up to the limits' patience for room; an
    /// event's `position` is remembered once queued, for [`lag`](Self::lag).
    pub async fn send(&mut self, message: Bytes, position: Option<Position>) -> Sent {
        let sent = match self.sender.try_send(message) {
            Ok(()) => Sent::Queued,
            Err(mpsc::error::TrySendError::Closed(_)) => Sent::Gone,
            Err(mpsc::error::TrySendError::Full(message)) => {
                match tokio::time::timeout(self.patience, self.sender.send(message)).await {
                    Ok(Ok(())) => Sent::Queued,
                    Ok(Err(_)) => Sent::Gone,
                    Err(_) => Sent::Behind,
                }
            }
        };
        if sent == Sent::Queued && position.is_some() {
            self.last_sent = position;
        }
        sent
    }

    /// Resolves when the reader has gone away.
    pub async fn closed(&self) {
        self.sender.closed().await;
    }

    /// How often a feed with nothing to say sends a comment.
    pub fn keepalive(&self) -> Duration {
        self.keepalive
    }

    /// The last word to a reader that fell behind, sent once what is
    /// queued is drained: where to resume (the last event it was sent, or
    /// `start` when none was).
    pub fn lag(mut self, start: Option<Position>) {
        tracing::info!("a live feed reader fell too far behind and is disconnected");
        let resume = self
            .last_sent
            .or(start)
            .map_or_else(String::new, format_position);
        let message = format!(
            "event: lagged\ndata: {{\"detail\": \"you fell too far behind the feed; reconnect with Last-Event-ID (or after) set to resume_after\", \"resume_after\": \"{resume}\"}}\n\n"
        );
        self.end(Bytes::from(message));
    }

    /// Ends the feed with `message`, sent once what is queued is drained.
    pub fn end(&mut self, message: Bytes) {
        if let Some(ending) = self.ending.take() {
            let _ = ending.send(message);
        }
    }
}

/// The text form of a feed position (`<commit>-<prepare>`), an event's id
/// in every feed.
pub fn format_position(position: Position) -> String {
    format!("{}-{}", position.commit, position.prepare)
}

/// A position written by [`format_position`]; `None` for any other text,
/// or for a prepare position after its commit (no event has one).
pub fn parse_position(text: &str) -> Option<Position> {
    let (commit, prepare) = text.trim().split_once('-')?;
    let position = Position {
        commit: commit.parse().ok()?,
        prepare: prepare.parse().ok()?,
    };
    (position.prepare <= position.commit).then_some(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(limits: FeedLimits) -> FeedGate {
        FeedGate {
            client: Client::new("esdb://127.0.0.1:1?tls=false".parse().unwrap()).unwrap(),
            limits,
            open: Arc::default(),
        }
    }

    #[tokio::test]
    async fn places_are_counted_in_all_and_per_address_and_given_back() {
        let gate = gate(FeedLimits {
            connections: 3,
            per_address: 2,
            ..FeedLimits::default()
        });
        let one: Option<IpAddr> = Some("10.0.0.1".parse().unwrap());
        let two: Option<IpAddr> = Some("10.0.0.2".parse().unwrap());
        let first = gate.admit(one).unwrap();
        let _second = gate.admit(one).unwrap();
        assert!(matches!(gate.admit(one), Err(Error::TooMany { .. })));
        let _third = gate.admit(two).unwrap();
        assert!(matches!(gate.admit(two), Err(Error::TooMany { .. })));
        assert_eq!(gate.open(), 3);
        drop(first);
        assert_eq!(gate.open(), 2);
        assert!(gate.admit(one).is_ok());
    }

    #[tokio::test]
    async fn a_reader_that_takes_nothing_is_let_go_with_where_to_resume() {
        let gate = gate(FeedLimits {
            behind: 2,
            patience: Duration::from_millis(50),
            ..FeedLimits::default()
        });
        let ticket = gate.admit(None).unwrap();
        let (mut queue, body) = gate.queue(ticket);
        let at = |commit| {
            Some(Position {
                commit,
                prepare: commit,
            })
        };
        assert_eq!(
            queue.send(Bytes::from_static(b"a"), at(7)).await,
            Sent::Queued
        );
        assert_eq!(
            queue.send(Bytes::from_static(b"b"), at(9)).await,
            Sent::Queued
        );
        assert_eq!(
            queue.send(Bytes::from_static(b"c"), at(11)).await,
            Sent::Behind
        );
        queue.lag(None);
        assert_eq!(gate.open(), 1);
        let received: Vec<Bytes> = body.map(Result::unwrap).collect().await;
        assert_eq!(received.len(), 3);
        let last = String::from_utf8(received[2].to_vec()).unwrap();
        assert!(last.starts_with("event: lagged\n"), "{last}");
        assert!(last.contains("\"resume_after\": \"9-9\""), "{last}");
        // The body ended: its place was given back.
        assert_eq!(gate.open(), 0);
    }

    #[tokio::test]
    async fn a_reader_gone_is_noticed() {
        let gate = gate(FeedLimits::default());
        let ticket = gate.admit(None).unwrap();
        let (mut queue, body) = gate.queue(ticket);
        drop(body);
        assert_eq!(queue.send(Bytes::from_static(b"a"), None).await, Sent::Gone);
        queue.closed().await;
        assert_eq!(gate.open(), 0);
    }

    #[test]
    fn positions_round_trip_and_refuse_what_no_event_has() {
        let position = Position {
            commit: 120,
            prepare: 118,
        };
        assert_eq!(parse_position(&format_position(position)), Some(position));
        assert_eq!(parse_position("5-7"), None);
        assert_eq!(parse_position("later"), None);
        assert_eq!(parse_position(""), None);
    }
}
