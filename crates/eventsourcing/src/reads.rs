//! Reads taken to their end.
//!
//! A read the caller drops before the store has ended it is cancelled: the
//! client resets its HTTP/2 stream while the store may still be sending on
//! it. Frames that arrive for a stream reset a while ago are answered with
//! another reset, and the client's HTTP/2 layer counts those for the
//! connection's whole life: past 1,024 it closes the connection
//! (`GOAWAY ENHANCE_YOUR_CALM`), and every call in flight on it fails with
//! `RESOURCE_EXHAUSTED` ("h2 protocol error"). One dropped read is harmless;
//! a read of one event dropped on every request is an outage after a few
//! busy minutes. So a read that wants less than the store sends is bounded
//! (`max_count`) and read to its end with these functions, which costs the
//! little the bound lets through.

use kurrentdb::{Client, Position, ReadAllOptions, ReadStream, ResolvedEvent, StreamPosition};

/// Most messages [`finish`] reads before it gives up and lets the read be
/// cancelled: far more than any bounded read of ours leaves.
const MOST_LEFT: usize = 10_000;

/// Reads what is left of `read` (the store's end of a stream, the events a
/// bounded read has still to send) so that it ends instead of being reset.
/// Errors end it as well and are not the caller's concern here.
pub async fn finish(read: &mut ReadStream) {
    for _ in 0..MOST_LEFT {
        match read.next_read_event().await {
            Ok(Some(_)) => {}
            Ok(None) => return,
            // A stream the store did not find still ends after saying so.
            Err(kurrentdb::Error::ResourceNotFound) => {}
            Err(_) => return,
        }
    }
    tracing::warn!(
        most = MOST_LEFT,
        "a read was left unfinished: bound it with max_count"
    );
}

/// The first event of a read bounded to one (or a few) events, once the
/// read has ended. A stream that does not exist has none.
pub async fn first_event(mut read: ReadStream) -> Result<Option<ResolvedEvent>, kurrentdb::Error> {
    let first = match read.next().await {
        Ok(first) => first,
        Err(kurrentdb::Error::ResourceNotFound) => None,
        Err(error) => return Err(error),
    };
    finish(&mut read).await;
    Ok(first)
}

/// Where `$all` ends now, among the events `options` filter (`None` for
/// an empty store): the position of the last event.
pub async fn last_position(
    client: &Client,
    options: ReadAllOptions,
) -> Result<Option<Position>, kurrentdb::Error> {
    let options = options
        .position(StreamPosition::End)
        .backwards()
        .max_count(1);
    let read = client.read_all(&options).await?;
    Ok(first_event(read)
        .await?
        .map(|event| event.get_original_event().position))
}
