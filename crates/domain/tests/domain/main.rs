//! The domain's one integration-test binary: aggregates tested given /
//! when / then, the placement process, and the golden files of every event
//! version.

mod fixtures;
mod support;

mod course;
mod employer;
mod golden;
mod jobseeker;
mod placement;
mod properties;
mod referral;
mod vacancy;
mod venture;
