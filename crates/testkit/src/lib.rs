//! What Labex's service and end-to-end tests share. Tests start real
//! things: [`Store`] runs the embedded event store on a free port in the
//! test's process, [`Process`] runs a real binary (a service, `labex`,
//! `labex-store`) with its environment and learns its address from the
//! line it prints once it serves, [`tokens`](Tokens) are signed with the
//! secret the processes were given, and [`Http`] speaks JSON to them and
//! reads answers, problem+json included.

mod http;
mod process;
mod store;

pub use http::{Answer, Http};
pub use process::{Process, binary};
pub use store::{Store, event_count};

use std::time::Duration;

use labex_domain::EmployerId;
use labex_domain::value::DivisionCode;
use labex_web::{Role, TokenIssuer};

/// The token secret every test process is given (`LABEX_JWT_SECRET`).
pub const SECRET: &str = "labex-test-secret-0123456789abcdef";

/// Signs tokens with [`SECRET`].
pub struct Tokens;

impl Tokens {
    /// A token of `role` in `office` (a division code), for an hour.
    pub fn issue(role: Role, office: &str, employer: Option<EmployerId>) -> String {
        let office = DivisionCode::parse(office).expect("a test office is a division code");
        TokenIssuer::new(SECRET.as_bytes()).issue(
            "test-user",
            role,
            office,
            employer,
            Duration::from_secs(3600),
        )
    }

    /// A province administrator.
    pub fn province() -> String {
        Self::issue(Role::Province, "410000", None)
    }

    /// A counsellor of `office`.
    pub fn counsellor(office: &str) -> String {
        Self::issue(Role::Counsellor, office, None)
    }

    /// An employer acting for `employer`, registered in `office`.
    pub fn employer(employer: EmployerId, office: &str) -> String {
        Self::issue(Role::Employer, office, Some(employer))
    }
}

/// A fresh temporary folder.
pub fn temporary_folder(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("cannot create a temporary folder")
}

/// The employer id of a created employer's `id`.
pub fn employer_id(id: &str) -> EmployerId {
    EmployerId::parse(id).expect("an employer id")
}
