//! What an operator may set for referrals, with defaults: how long the
//! turn of a referral not yet written holds its job seeker and vacancy
//! (see [`crate::pairs`]).

use std::time::Duration;

/// The variable that sets [`ReferralSettings::turn_grace`], in whole
/// seconds.
pub const TURN_GRACE_VARIABLE: &str = "LABEX_REFERRAL_TURN_GRACE";

/// The default of [`ReferralSettings::turn_grace`].
pub const DEFAULT_TURN_GRACE: Duration = Duration::from_secs(30);

/// The longest grace that may be set: a pair whose writer stopped stays
/// blocked this long.
pub const MAX_TURN_GRACE: Duration = Duration::from_secs(3600);

/// The referrals service's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralSettings {
    /// How long the turn of a referral that is not written yet holds its
    /// pair: until then a new referral of the pair is answered "being
    /// made, retry"; after it, the unwritten referral is fenced off (it can
    /// never be written) and the turn taken over. Judged by the clocks of
    /// the processes involved, so it should well exceed their skew and the
    /// longest pause a writer may make between its turn and its referral.
    pub turn_grace: Duration,
}

impl Default for ReferralSettings {
    fn default() -> Self {
        Self {
            turn_grace: DEFAULT_TURN_GRACE,
        }
    }
}

/// A setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A grace that is not a whole number of seconds within range.
    #[error(
        "{TURN_GRACE_VARIABLE} must be a whole number of seconds from 1 to 3600, not {value:?}"
    )]
    TurnGrace {
        /// What it held.
        value: String,
    },
}

impl ReferralSettings {
    /// From the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any lookup of variables; empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let mut settings = Self::default();
        let configured = lookup(TURN_GRACE_VARIABLE).filter(|value| !value.trim().is_empty());
        if let Some(value) = configured {
            settings.turn_grace = value
                .trim()
                .parse::<u64>()
                .ok()
                .map(Duration::from_secs)
                .filter(|grace| !grace.is_zero() && *grace <= MAX_TURN_GRACE)
                .ok_or(SettingsError::TurnGrace { value })?;
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: Option<&str>) -> Result<ReferralSettings, SettingsError> {
        ReferralSettings::from_lookup(|name| {
            (name == TURN_GRACE_VARIABLE)
                .then(|| value.map(str::to_owned))
                .flatten()
        })
    }

    #[test]
    fn the_grace_is_thirty_seconds_unless_set() {
        assert_eq!(with(None).unwrap().turn_grace, Duration::from_secs(30));
        assert_eq!(with(Some(" ")).unwrap().turn_grace, Duration::from_secs(30));
        assert_eq!(
            with(Some("90")).unwrap().turn_grace,
            Duration::from_secs(90)
        );
    }

    #[test]
    fn a_grace_that_is_not_whole_seconds_within_an_hour_is_refused() {
        for value in ["0", "-5", "2.5", "30s", "3601"] {
            assert_eq!(
                with(Some(value)),
                Err(SettingsError::TurnGrace {
                    value: value.to_owned()
                }),
                "{value}"
            );
        }
    }
}
