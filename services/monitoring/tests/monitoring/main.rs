//! The monitoring service's one integration-test binary, against the real
//! event store: its use cases called directly, without HTTP
//! (`usecases`), and its HTTP surface with the service as its own process
//! (`http`).

mod http;
mod report;
mod usecases;
