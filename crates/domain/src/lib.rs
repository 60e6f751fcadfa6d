//! Labex's domain: what a labour exchange for public employment offices
//! records and the rules it records them by, as pure functions with no I/O.
//!
//! It is laid out as a small shared kernel and one folder per bounded
//! context.
//!
//! The **kernel** is what every context builds on and which knows none of
//! them: [`Aggregate`] (a pure [`decide`](Aggregate::decide) — state and
//! command in, events or a refusal out — and a pure
//! [`evolve`](Aggregate::evolve) — state and event in, state out);
//! [`DomainEvent`] and [`domain_events!`] (a context's family of events, its
//! type names and schema versions, encoding and upcasting decoding);
//! [`Refusal`] and [`Coded`] (a context's refusals with their stable codes,
//! their [`ErrorKind`] and the field at fault); the aggregate ids contexts
//! refer to one another by ([`JobSeekerId`], …); and the **value objects**
//! ([`value`]): every code, number and text that crosses the HTTP edge —
//! resident ID numbers (GB 11643), unified social credit codes (GB 32100),
//! administrative division codes (GB/T 2260) and the office-scope rule,
//! mobile phones, education levels, salary ranges, job-seeker categories,
//! names and free text — parsed once into types that cannot hold an
//! invalid value.
//!
//! The **contexts**, each a folder with its state and aggregate (`mod.rs`),
//! its commands, its events and its errors: [`jobseeker`], [`employer`],
//! [`vacancy`], [`fair`] (job fairs, 招聘会), [`referral`] (with the [`placement`](referral::placement)
//! process, which turns a hire into idempotent commands on the job seeker
//! and the vacancy), and [`tokens`] (bearer tokens revoked before they
//! expire); the notice's monitoring programme: [`monitoring`] (offices and
//! monitoring points), [`enterprise_report`], [`layoff`] (pre-reports),
//! [`warning`] (early warning), [`arrears`] (wage arrears) and
//! [`province_report`] (reports to the province). What a decision needs of other aggregates comes in the
//! command.
//!
//! Across contexts, [`priority`] decides who comes first among comparable
//! candidates: members of a registered zero-employment household, as the
//! household register says, not as a job seeker declared.
//!
//! The [`registry`] at the top lists the contexts' event families as one
//! [`Event`], for what reads the store across contexts; nothing in a context
//! refers to it.
//!
//! The flow, as the services use it: parse the request into value objects
//! and a command; load the aggregate's events and fold them with `evolve`;
//! `decide`; encode the new events and append them with the expected
//! revision. Reading the clock, the store and the network is theirs.
//! Personal data (names, ID numbers, phones, notes about a person) prints
//! masked in `Debug` and `Display`; each event type declares which of its
//! fields are a person's and whose ([`PersonalField`]), so that what writes
//! events seals them with that person's key, and reads them back as
//! [`Personal`]: known, or erased once the key is destroyed.

pub mod access;
mod aggregate;
pub mod arrears;
mod calendar;
pub mod course;
pub mod employer;
pub mod enterprise_report;
pub mod event;
pub mod fair;
pub mod household;
mod ids;
pub mod internship;
pub mod jobseeker;
pub mod layoff;
pub mod loan;
pub mod monitoring;
mod personal;
pub mod priority;
pub mod provider;
pub mod province_report;
pub mod referral;
mod refusal;
pub mod registry;
mod serde_helpers;
pub mod tokens;
pub mod vacancy;
pub mod value;
pub mod venture_case;
pub mod venture_project;
pub mod warning;
pub mod welfare;

pub use aggregate::{Aggregate, AggregateId};
pub use calendar::{china_date, rfc3339_millis};
pub use event::{DecodeError, DomainEvent, EncodedEvent, EventType};
pub use ids::{EmployerId, FairId, HouseholdId, IdError, JobSeekerId, ReferralId, VacancyId};
pub use personal::{ERASED_MARKER, Personal, PersonalField, erased_marker, is_erased_marker};
pub use referral::placement;
pub use refusal::{Coded, ErrorKind, Refusal, Refused};
pub use registry::{Event, decode, encode};
pub use serde_helpers::double_option;
