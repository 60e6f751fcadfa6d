//! End-to-end tests: the real binaries built by Cargo, started on free
//! loopback ports with temporary data folders, spoken to over HTTP (and
//! over gRPC with the official client, to count what was written).

mod access_log;
mod arrears;
mod assistance;
mod bad_input;
mod candidates;
mod checkpoints;
mod durability;
mod fairs;
mod feed_limits;
mod flow;
mod matching;
mod migrate;
mod monitoring;
mod priority;
mod privacy;
mod recovery;
mod registry_key;
mod schemathesis;
mod separate;
mod support;
mod training;
mod ventures;
