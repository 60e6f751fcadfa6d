//! The search library's integration tests, one binary with a module per
//! feature.

mod filters;
mod fixture;
mod folding;
mod matching;
mod projection;
mod properties;
mod reference;
mod relevance;
mod support;

use std::sync::LazyLock;

/// The relevance fixture, built once for the read-only tests.
pub fn shared_fixture() -> &'static fixture::Fixture {
    static FIXTURE: LazyLock<fixture::Fixture> = LazyLock::new(fixture::Fixture::build);
    &FIXTURE
}
