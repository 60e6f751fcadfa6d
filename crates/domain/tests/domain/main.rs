//! The domain's one integration-test binary: aggregates tested given /
//! when / then, the placement process, and the golden files of every event
//! version.

mod fixtures;
mod support;

mod course;
mod employer;
mod fair;
mod golden;
mod household;
mod internship;
mod jobseeker;
mod monitoring;
mod placement;
mod properties;
mod referral;
mod vacancy;
mod venture;
mod welfare;
