//! Labex's domain: what a labour exchange for public employment offices
//! records and the rules it records them by, as pure functions with no I/O.
//!
//! It owns three things. **Value objects** ([`value`]): every code, number
//! and text that crosses the HTTP edge — resident ID numbers (GB 11643),
//! unified social credit codes (GB 32100), administrative division codes
//! (GB/T 2260) and the office-scope rule, mobile phones, education levels,
//! salary ranges, job-seeker categories, names and free text — parsed once
//! into types that cannot hold an invalid value. **Aggregates** ([`jobseeker`],
//! [`employer`], [`vacancy`], [`referral`]): each a pure
//! [`decide`](Aggregate::decide) (state and command in, events or a
//! [`DomainError`] out) and a pure [`evolve`](Aggregate::evolve) (state and
//! event in, state out); what a decision needs of other aggregates comes in
//! the command, and the [`placement`] process turns a hire into idempotent
//! commands on the job seeker and the vacancy. **Events as stored**
//! ([`event`]): a type name, a schema version and JSON; [`encode`] writes the
//! current shape and [`decode`] upcasts any older one before deserialising.
//!
//! The flow, as the services use it: parse the request into value objects
//! and a command; load the aggregate's events and fold them with `evolve`;
//! `decide`; [`encode`] the new events and append them with the expected
//! revision. Reading the clock, the store and the network is theirs.
//! Personal data (names, ID numbers, phones) prints masked in `Debug` and
//! `Display`, and travels in events grouped so that it can be encrypted and
//! erased per person.

mod aggregate;
mod calendar;
pub mod employer;
mod error;
pub mod event;
mod ids;
pub mod jobseeker;
pub mod placement;
pub mod referral;
mod serde_helpers;
pub mod vacancy;
pub mod value;

pub use aggregate::Aggregate;
pub use calendar::china_date;
pub use error::{AggregateKind, DomainError, ErrorKind};
pub use event::{DecodeError, EncodedEvent, Event, decode, encode};
pub use ids::{EmployerId, IdError, JobSeekerId, ReferralId, VacancyId};
pub use serde_helpers::double_option;
pub use value::ErrorCode;
