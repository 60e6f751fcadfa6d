//! The client side of event sourcing against Labex's embedded store,
//! started on a free port for every test.

mod claim;
mod golden;
mod idempotency;
mod metadata;
mod projection;
mod reads;
mod repository;
mod support;
mod warm;
