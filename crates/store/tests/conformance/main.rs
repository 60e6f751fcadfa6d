//! The event-store conformance suite: what the official `kurrentdb` client
//! expects of a server, run against Labex's embedded store started on a free
//! port. Set `LABEX_CONFORMANCE_URL` to run the same suite against another
//! server (a KurrentDB node, say).

mod append;
mod bad_input;
mod delete;
mod metadata;
mod read;
mod server;
mod subscriptions;
mod support;
