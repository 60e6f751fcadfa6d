//! Amounts of money in fen (分, a hundredth of a yuan), as whole numbers:
//! never floating point.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// An amount that cannot be an amount of money here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FenError {
    /// Below zero.
    #[error("an amount cannot be negative")]
    Negative,
    /// More than [`Fen::MAX`].
    #[error("the amount is larger than any this service records")]
    TooLarge,
}

impl Coded for FenError {
    fn code(&self) -> &'static str {
        match self {
            Self::Negative => "amount.negative",
            Self::TooLarge => "amount.too_large",
        }
    }
}

/// A non-negative amount in fen, at most [`Fen::MAX`] (a hundred billion
/// yuan), so that sums of many amounts stay far from overflow.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Fen(u64);

impl Fen {
    /// The largest amount: 10^13 fen.
    pub const MAX: u64 = 10_000_000_000_000;
    /// Nothing.
    pub const ZERO: Fen = Fen(0);

    /// Checks an amount.
    pub fn parse(fen: i64) -> Result<Self, FenError> {
        let fen = u64::try_from(fen).map_err(|_| FenError::Negative)?;
        if fen > Self::MAX {
            return Err(FenError::TooLarge);
        }
        Ok(Self(fen))
    }

    /// The amount in fen.
    pub fn get(self) -> u64 {
        self.0
    }

    /// The sum, or `None` past [`Fen::MAX`].
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0
            .checked_add(other.0)
            .filter(|sum| *sum <= Self::MAX)
            .map(Fen)
    }

    /// The difference, or `None` below zero.
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// `self × numerator ÷ denominator`, rounded half up, in integers
    /// (a share of an amount: interest for some days, a part paid by
    /// the treasury). `None` for a zero denominator or an overflow.
    pub fn portion(self, numerator: u64, denominator: u64) -> Option<Fen> {
        if denominator == 0 {
            return None;
        }
        let product = u128::from(self.0) * u128::from(numerator);
        let rounded = (product + u128::from(denominator) / 2) / u128::from(denominator);
        u64::try_from(rounded)
            .ok()
            .filter(|fen| *fen <= Self::MAX)
            .map(Fen)
    }
}

impl TryFrom<i64> for Fen {
    type Error = FenError;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Fen> for i64 {
    fn from(value: Fen) -> Self {
        // At most 10^13, well within i64.
        i64::try_from(value.0).unwrap_or(i64::MAX)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}.{:02} yuan", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Debug for Fen {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Fen({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_non_negative_fen() {
        assert_eq!(Fen::parse(150_000).unwrap().get(), 150_000);
        assert_eq!(Fen::parse(-1), Err(FenError::Negative));
        assert_eq!(Fen::parse(10_000_000_000_001), Err(FenError::TooLarge));
        assert_eq!(Fen::parse(12_345).unwrap().to_string(), "123.45 yuan");
    }

    #[test]
    fn portions_round_half_up_in_integers() {
        let amount = Fen::parse(100_000).unwrap();
        assert_eq!(amount.portion(1, 3).unwrap().get(), 33_333);
        assert_eq!(Fen::parse(5).unwrap().portion(1, 2).unwrap().get(), 3);
        assert_eq!(amount.portion(1, 0), None);
    }
}
