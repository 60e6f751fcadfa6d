//! Dates as an employment office in mainland China sees them.
//!
//! Times in events are UTC instants; dates (a birth date, the day an outcome
//! was recorded) are calendar dates in China Standard Time (UTC+8, no
//! daylight saving), so "today" and "the date of that instant" are taken in
//! that zone.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

const CHINA_STANDARD_TIME_OFFSET_SECONDS: i32 = 8 * 3600;

fn china_standard_time() -> FixedOffset {
    FixedOffset::east_opt(CHINA_STANDARD_TIME_OFFSET_SECONDS)
        .expect("eight hours east of UTC is within a day, so a valid offset")
}

/// An instant as every answer and read model writes it: RFC 3339 in UTC
/// with milliseconds (`2026-12-07T03:04:05.678Z`), the precision events
/// keep their moments in. Strings of this form sort as their instants do.
pub fn rfc3339_millis(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The calendar date in China (UTC+8) of an instant.
pub fn china_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&china_standard_time()).date_naive()
}

/// Today's date in China, from the system clock.
///
/// The only place the domain reads the clock: value objects that must refuse
/// dates in the future (a birth date) use it when parsed without an explicit
/// reference date. Everything else takes its times from commands.
pub(crate) fn china_today() -> NaiveDate {
    let seconds_since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let now = DateTime::<Utc>::from_timestamp(seconds_since_epoch, 0).unwrap_or_default();
    china_date(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_late_in_the_utc_day_is_the_next_day_in_china() {
        let instant: DateTime<Utc> = "2024-03-01T17:30:00Z".parse().unwrap();
        assert_eq!(
            china_date(instant),
            NaiveDate::from_ymd_opt(2024, 3, 2).unwrap()
        );
    }

    #[test]
    fn an_instant_early_in_the_utc_day_is_the_same_day_in_china() {
        let instant: DateTime<Utc> = "2024-03-01T15:59:59Z".parse().unwrap();
        assert_eq!(
            china_date(instant),
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
        );
    }

    #[test]
    fn today_in_china_is_after_the_crate_was_written() {
        assert!(china_today() > NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
    }
}
