//! The monitoring service's one integration-test binary, against the real
//! event store: its use cases called directly, without HTTP
//! (`usecases`), and its HTTP surface with the service as its own process
//! (`http`), the warnings feed among it (`feed`).

mod feed;
mod http;
mod report;
mod usecases;
