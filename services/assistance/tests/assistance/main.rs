//! The assistance service's one integration-test binary, against the real
//! event store: its use cases and its process manager called directly,
//! without HTTP (`usecases`), and its HTTP surface with the service as its
//! own process (`http`, `internships`, `welfare`).

mod fixtures;
mod http;
mod internships;
mod usecases;
mod welfare;
