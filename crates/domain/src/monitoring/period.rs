//! A calendar month (`YYYY-MM`), the period of enterprises' reports, of
//! indicators and of the reports to the province.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// A calendar month, written `YYYY-MM` (`2026-11`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    month: u32,
}

/// A text that is not a month written `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a month written YYYY-MM between 2000-01 and 2099-12")]
pub struct PeriodError;

impl Coded for PeriodError {
    fn code(&self) -> &'static str {
        "period.invalid"
    }
}

impl Period {
    /// Parses `YYYY-MM` (years 2000 to 2099), surrounding whitespace ignored.
    pub fn parse(input: &str) -> Result<Self, PeriodError> {
        let text = input.trim();
        let (year, month) = text.split_once('-').ok_or(PeriodError)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(PeriodError);
        }
        let year: i32 = year.parse().map_err(|_| PeriodError)?;
        let month: u32 = month.parse().map_err(|_| PeriodError)?;
        if !(2000..=2099).contains(&year) || !(1..=12).contains(&month) {
            return Err(PeriodError);
        }
        Ok(Self { year, month })
    }

    /// The month a day falls in.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// Months since January of year 0: consecutive months differ by one.
    pub fn index(self) -> i32 {
        self.year * 12 + i32::try_from(self.month).unwrap_or(1) - 1
    }

    /// The month `months` after this one (before it when negative).
    pub fn plus(self, months: i32) -> Self {
        let index = self.index() + months;
        Self {
            year: index.div_euclid(12),
            month: u32::try_from(index.rem_euclid(12)).unwrap_or(0) + 1,
        }
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.plus(1).first_day().pred_opt().unwrap_or_default()
    }

    /// The day `day` of the next month (its last day when shorter): when a
    /// report on this month is due.
    pub fn due_in_next_month(self, day: u32) -> NaiveDate {
        let next = self.plus(1);
        let last = next.last_day().day();
        NaiveDate::from_ymd_opt(next.year, next.month, day.clamp(1, last)).unwrap_or_default()
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Period> for String {
    fn from(value: Period) -> Self {
        value.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Debug for Period {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Period({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_print_and_step_across_years() {
        let period = Period::parse("2026-12").unwrap();
        assert_eq!(period.to_string(), "2026-12");
        assert_eq!(period.plus(1).to_string(), "2027-01");
        assert_eq!(period.plus(-12).to_string(), "2025-12");
        assert_eq!(period.plus(1).index() - period.index(), 1);
        assert_eq!(
            period.due_in_next_month(10),
            NaiveDate::from_ymd_opt(2027, 1, 10).unwrap()
        );
        assert_eq!(
            Period::parse("2026-01").unwrap().due_in_next_month(31),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
    }

    #[test]
    fn malformed_months_are_refused() {
        for text in [
            "2026-13", "2026-00", "26-11", "2026/11", "1999-12", "2026-1", "",
        ] {
            assert_eq!(Period::parse(text), Err(PeriodError), "{text}");
        }
    }
}
