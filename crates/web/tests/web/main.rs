//! The integration tests of `labex-web`: one binary, a module per feature.
//! They run the real app — over real HTTP where it matters — with a small
//! route set of their own.

mod auth;
mod errors;
mod failures;
mod helpers;
mod logging;
mod operations;
mod responses;
