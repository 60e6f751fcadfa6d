//! What every Labex service's application layer shares: the layer of use
//! cases between the HTTP handlers and the domain.
//!
//! A use case is a function that takes the [`Actor`] (who is asking) and a
//! typed command, and does load → authorise → decide → claim or take a
//! turn → append through the [`Repository`](labex_eventsourcing::Repository),
//! returning a typed result or an [`Error`]. It knows nothing of HTTP, so
//! it is tested against the real store without a server; the HTTP edge
//! (`labex-web`) turns an [`Error`] into a problem+json answer in one
//! place.
//!
//! Here: the [`Actor`] and its [`Role`] with the office-scope checks of
//! DESIGN's "who may do what" ([`Actor::may_act_in`], role sets such as
//! [`STAFF`]); the use-case [`Error`]; and the input checks every request
//! goes through: [`Validator`] parses raw fields into value objects,
//! collecting every [`FieldError`] at once, each with a stable code — a
//! value object's own, or an [`InputError`] of the request itself; the
//! [`RuleBook`] of the thresholds and periods a province or an office
//! sets, as data with defaults; and what creating a record takes: its id
//! ([`new_id`], the same for a retry with the same `Idempotency-Key`) and
//! the claim of a unique key ([`create_claimed`]); and the mark office
//! staff see on an employer with an open wage-arrears case
//! ([`arrears_marks`]), kept by every service that shows its vacancies or
//! referrals.

mod access;
mod actor;
pub mod arrears_marks;
mod create;
mod error;
mod input;
mod record;
pub mod rules;

pub use access::{AccessLog, AccessLogOptions};
pub use actor::{Actor, OFFICE_STAFF, Role, STAFF};
pub use create::{create_claimed, new_id};
pub use error::Error;
pub use input::{FieldError, InputError, Validator, sentence};
pub use record::{ListKey, ListPage, Listed, Saved};
pub use rules::{RULES_FILE, RuleBook, RulesError};

/// What a use case answers.
pub type Result<T, E = Error> = std::result::Result<T, E>;
