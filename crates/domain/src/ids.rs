//! Identifiers of aggregates and the names of their streams: the
//! [`aggregate_id!`] macro that declares an id type, [`IdError`], and the
//! ids that contexts use to refer to one another's aggregates (a job
//! seeker, an employer, a vacancy, a referral). A context whose ids no
//! other context names declares them in its own folder.

/// A text that is not an identifier of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not a UUID.
    #[error("not a uuid")]
    NotUuid,
    /// A stream name of another category, or no stream name at all.
    #[error("not a stream of the {expected} category")]
    StreamCategory {
        /// The category expected (`jobseeker`).
        expected: &'static str,
    },
}

impl crate::refusal::Coded for IdError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotUuid => "id.not_uuid",
            Self::StreamCategory { .. } => "id.stream_category",
        }
    }
}

/// Declares an aggregate's id type: a UUID newtype whose stream is
/// `<category>-<uuid>`, implementing [`AggregateId`](crate::AggregateId).
macro_rules! aggregate_id {
    ($(#[$attribute:meta])* $name:ident, $category:literal, $what:literal) => {
        $(#[$attribute])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(::uuid::Uuid);

        impl $name {
            /// The stream category: streams are named `<category>-<uuid>`.
            pub const STREAM_CATEGORY: &'static str = $category;

            /// A new time-ordered id (UUIDv7).
            pub fn generate() -> Self {
                Self(::uuid::Uuid::now_v7())
            }

            /// Wraps a UUID (one derived from an idempotency key, say).
            pub fn from_uuid(uuid: ::uuid::Uuid) -> Self {
                Self(uuid)
            }

            /// Parses the hyphenated form, as in URLs.
            pub fn parse(input: &str) -> Result<Self, $crate::IdError> {
                ::uuid::Uuid::try_parse(input.trim()).map(Self).map_err(|_| $crate::IdError::NotUuid)
            }

            /// The UUID.
            pub fn as_uuid(&self) -> ::uuid::Uuid {
                self.0
            }

            /// The stream that holds this aggregate's events.
            pub fn stream_name(&self) -> String {
                format!("{}-{}", Self::STREAM_CATEGORY, self.0)
            }

            /// The id in a stream name written by [`stream_name`](Self::stream_name).
            pub fn from_stream_name(stream: &str) -> Result<Self, $crate::IdError> {
                let uuid = stream
                    .strip_prefix(Self::STREAM_CATEGORY)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .ok_or($crate::IdError::StreamCategory {
                        expected: Self::STREAM_CATEGORY,
                    })?;
                Self::parse(uuid)
            }
        }

        impl $crate::AggregateId for $name {
            const STREAM_CATEGORY: &'static str = $category;
            const NAME: &'static str = $what;

            fn stream_name(&self) -> String {
                $name::stream_name(self)
            }

            fn as_uuid(&self) -> ::uuid::Uuid {
                self.0
            }

            fn from_uuid(uuid: ::uuid::Uuid) -> Self {
                Self(uuid)
            }

            fn parse(input: &str) -> Result<Self, $crate::IdError> {
                $name::parse(input)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::IdError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                Self::parse(input)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, formatter)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(formatter, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

#[allow(unused_imports)] // for contexts whose ids no other context names
pub(crate) use aggregate_id;

aggregate_id!(
    /// Identifies a job seeker; stream `jobseeker-<uuid>`.
    JobSeekerId,
    "jobseeker",
    "job seeker"
);
aggregate_id!(
    /// Identifies an employer; stream `employer-<uuid>`.
    EmployerId,
    "employer",
    "employer"
);
aggregate_id!(
    /// Identifies a vacancy; stream `vacancy-<uuid>`.
    VacancyId,
    "vacancy",
    "vacancy"
);
aggregate_id!(
    /// Identifies a referral; stream `referral-<uuid>`.
    ReferralId,
    "referral",
    "referral"
);
aggregate_id!(
    /// Identifies a zero-employment household (零就业家庭); stream
    /// `household-<uuid>`.
    HouseholdId,
    "household",
    "household"
);
aggregate_id!(
    /// Identifies a job fair; stream `fair-<uuid>`.
    FairId,
    "fair",
    "fair"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_version_7_and_ordered_in_time() {
        let first = JobSeekerId::generate();
        let second = JobSeekerId::generate();
        assert_eq!(first.as_uuid().get_version_num(), 7);
        assert!(first < second);
    }

    #[test]
    fn stream_names_round_trip() {
        let id = VacancyId::parse("0190f5a8-3c1e-7d2a-9b4f-0123456789ab").unwrap();
        let stream = id.stream_name();
        assert_eq!(stream, "vacancy-0190f5a8-3c1e-7d2a-9b4f-0123456789ab");
        assert_eq!(VacancyId::from_stream_name(&stream), Ok(id));
    }

    #[test]
    fn a_stream_of_another_category_is_refused() {
        assert_eq!(
            JobSeekerId::from_stream_name("vacancy-0190f5a8-3c1e-7d2a-9b4f-0123456789ab"),
            Err(IdError::StreamCategory {
                expected: "jobseeker"
            })
        );
        assert_eq!(
            JobSeekerId::from_stream_name("jobseekers-0190f5a8-3c1e-7d2a-9b4f-0123456789ab"),
            Err(IdError::StreamCategory {
                expected: "jobseeker"
            })
        );
        assert_eq!(
            EmployerId::from_stream_name("employer-nope"),
            Err(IdError::NotUuid)
        );
    }

    #[test]
    fn ids_serialise_as_plain_uuids() {
        let id = ReferralId::parse("0190f5a8-3c1e-7d2a-9b4f-0123456789ab").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"0190f5a8-3c1e-7d2a-9b4f-0123456789ab\"");
        assert_eq!(serde_json::from_str::<ReferralId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ReferralId>("\"42\"").is_err());
    }
}
