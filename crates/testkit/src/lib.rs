//! What Labex's service and end-to-end tests share. Tests start real
//! things: [`Store`] runs the embedded event store on a free port in the
//! test's process, [`Process`] runs a real binary (a service, `labex`,
//! `labex-store`) with its environment and learns its address from the
//! line it prints once it serves, [`tokens`](Tokens) are signed with the
//! secret the processes were given, and [`Http`] speaks JSON to them and
//! reads answers, problem+json included. [`python_venv`] provisions the
//! Python tools some tests run (a client, a fuzzer) under the target folder.

mod http;
mod process;
mod python;
mod service;
mod store;

pub use http::{Answer, Http};
pub use process::{Process, binary};
pub use python::{python_venv, target_folder};
pub use service::ServiceUnderTest;
pub use store::{Store, event_count};

use std::time::Duration;

use labex_domain::EmployerId;
use labex_domain::value::DivisionCode;
use labex_web::{Role, TokenIssuer};

/// `VmRSS` and `VmHWM` (resident and peak resident memory) of process
/// `pid`, in bytes, from `/proc`; 0 for what cannot be read (benchmarks
/// report memory with it).
pub fn resident_memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map_or(0, |kilobytes| kilobytes * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Bytes of the files under `path`, subfolders included; 0 for a folder
/// that cannot be read (benchmarks report data and index sizes with it).
pub fn folder_size(path: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(metadata) if metadata.is_dir() => folder_size(&entry.path()),
            Ok(metadata) => metadata.len(),
            Err(_) => 0,
        })
        .sum()
}

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

/// Today's date in China (UTC+8) as `YYYY-MM-DD`, the date an office
/// writes on an outcome recorded now. Outcomes dated before their referral
/// (in China time) are refused, so tests take the date at test time
/// rather than a fixed one that expires.
pub fn china_today() -> String {
    labex_domain::china_date(chrono::Utc::now())
        .format("%Y-%m-%d")
        .to_string()
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

/// The `n`-th of many distinct valid resident ID numbers (GB 11643): a
/// district of Zhengzhou (`4101xx`), a birth date from 1970-01-01 on and a
/// three-digit serial, with its check character. Numbers up to
/// 12,000,000 differ in date and serial, then in district.
pub fn id_number(n: u64) -> String {
    let serial = n % 1_000;
    let day = (n / 1_000) % 12_000;
    let district = 1 + (n / 12_000_000) % 60;
    with_check_character(&format!(
        "4101{district:02}{}{serial:03}",
        days_to_date(day)
    ))
}

/// A valid resident ID number of someone born on `birth` (serial `serial`,
/// below 1,000), for tests of age rules.
pub fn id_number_born(birth: chrono::NaiveDate, serial: u64) -> String {
    with_check_character(&format!(
        "410105{}{:03}",
        birth.format("%Y%m%d"),
        serial % 1_000
    ))
}

/// The seventeen digits `base` and their GB 11643 check character.
fn with_check_character(base: &str) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u64 = base
        .bytes()
        .zip(weights)
        .map(|(digit, weight)| u64::from(digit - b'0') * weight)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{base}{check}")
}

/// `YYYYMMDD` of the day `days` after 1970-01-01.
fn days_to_date(days: u64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    (epoch + chrono::Days::new(days))
        .format("%Y%m%d")
        .to_string()
}

/// The `n`-th distinct valid unified social credit code (GB 32100) of a
/// company registered in Zhengzhou.
pub fn credit_code(n: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u64; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let base = format!("91410105MA{:07}", n % 10_000_000);
    let sum: u64 = base
        .bytes()
        .zip(WEIGHTS)
        .map(|(byte, weight)| {
            let value = ALPHABET
                .iter()
                .position(|&symbol| symbol == byte)
                .expect("a code character");
            value as u64 * weight
        })
        .sum();
    let check = ALPHABET[((31 - sum % 31) % 31) as usize] as char;
    format!("{base}{check}")
}

#[cfg(test)]
mod tests {
    use labex_domain::value::{CreditCode, ResidentId};

    use super::*;

    #[test]
    fn generated_codes_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for n in (0..3_000).chain([11_999_999, 12_000_000, 40_000_123]) {
            let number = id_number(n);
            ResidentId::parse(&number).unwrap_or_else(|error| panic!("{number}: {error}"));
            assert!(seen.insert(number));
        }
        assert_eq!(days_to_date(0), "19700101");
        assert_eq!(days_to_date(59), "19700301");
        assert_eq!(days_to_date(365 + 365 + 59), "19720229");
        for n in [0, 1, 9_999_999] {
            let code = credit_code(n);
            CreditCode::parse(&code).unwrap_or_else(|error| panic!("{code}: {error}"));
        }
    }
}
