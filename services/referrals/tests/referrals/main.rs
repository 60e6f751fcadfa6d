//! The referrals service's one integration-test binary: its use cases
//! against the real store without HTTP, the placement process manager, and
//! its HTTP surface through the real `labex-referrals` binary.

mod fixtures;
mod http;
mod placement;
mod usecases;
