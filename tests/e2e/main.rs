//! End-to-end tests: the real binaries built by Cargo, started on free
//! loopback ports with temporary data folders, spoken to over HTTP (and
//! over gRPC with the official client, to count what was written).

mod bad_input;
mod checkpoints;
mod durability;
mod flow;
mod matching;
mod privacy;
mod recovery;
mod separate;
mod support;
mod training;
mod ventures;
