//! Every context's events as one [`Event`], for what reads the store
//! across contexts (projections of `$all`, tools that copy a whole store).
//!
//! This is the only place that lists the contexts, and nothing in a
//! context refers to it: a context's aggregate, events and errors know
//! only the shared kernel ([`DomainEvent`], [`Refusal`](crate::Refusal)).
//! Adding a context is one line in [`registry!`] below.

use std::sync::LazyLock;

use serde_json::Value;

use crate::access::AccessEvent;
use crate::arrears::WageArrearsEvent;
use crate::course::CourseEvent;
use crate::employer::EmployerEvent;
use crate::enterprise_report::EnterpriseReportEvent;
use crate::event::{DecodeError, DomainEvent, EncodedEvent, EventType, Upcaster};
use crate::fair::FairEvent;
use crate::household::HouseholdEvent;
use crate::internship::InternshipEvent;
use crate::jobseeker::JobSeekerEvent;
use crate::layoff::LayoffPlanEvent;
use crate::loan::LoanEvent;
use crate::monitoring::{LabourOfficeEvent, MonitoringPointEvent};
use crate::provider::ProviderEvent;
use crate::province_report::MonthlyReportEvent;
use crate::referral::ReferralEvent;
use crate::tokens::TokenEvent;
use crate::vacancy::VacancyEvent;
use crate::venture_case::VentureCaseEvent;
use crate::venture_project::VentureProjectEvent;
use crate::warning::WarningEvent;
use crate::welfare::WelfareEvent;

macro_rules! registry {
    ($( $(#[$meta:meta])* $context:ident($family:ty), )*) => {
        /// Any event of the domain.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Event {
            $( $(#[$meta])* $context($family), )*
        }

        impl Event {
            /// The event type name.
            pub fn event_type(&self) -> &'static str {
                DomainEvent::event_type(self)
            }

            /// The stream the event belongs to (`vacancy-<uuid>`).
            pub fn stream_name(&self) -> String {
                DomainEvent::stream_name(self)
            }
        }

        static TYPES: LazyLock<Vec<EventType>> = LazyLock::new(|| {
            let mut types = Vec::new();
            $( types.extend_from_slice(<$family>::types()); )*
            types
        });

        static UPCASTERS: LazyLock<Vec<Upcaster>> = LazyLock::new(|| {
            let mut upcasters = Vec::new();
            $( upcasters.extend_from_slice(<$family>::upcasters()); )*
            upcasters
        });

        impl DomainEvent for Event {
            fn types() -> &'static [EventType] {
                &TYPES
            }

            fn upcasters() -> &'static [Upcaster] {
                &UPCASTERS
            }

            fn event_type(&self) -> &'static str {
                match self {
                    $( Self::$context(event) => event.event_type(), )*
                }
            }

            fn stream_name(&self) -> String {
                match self {
                    $( Self::$context(event) => event.stream_name(), )*
                }
            }

            fn data(&self) -> Vec<u8> {
                match self {
                    $( Self::$context(event) => event.data(), )*
                }
            }

            fn from_current(event_type: &str, data: Value) -> Result<Self, DecodeError> {
                $(
                    if <$family>::knows(event_type) {
                        return <$family>::from_current(event_type, data).map(Self::$context);
                    }
                )*
                Err(DecodeError::UnknownEventType {
                    event_type: event_type.to_owned(),
                })
            }
        }

        $(
            impl From<$family> for Event {
                fn from(event: $family) -> Self {
                    Self::$context(event)
                }
            }

            impl TryFrom<Event> for $family {
                type Error = Event;

                fn try_from(event: Event) -> Result<Self, Self::Error> {
                    match event {
                        Event::$context(event) => Ok(event),
                        #[allow(unreachable_patterns)]
                        other => Err(other),
                    }
                }
            }
        )*
    };
}

registry! {
    /// Of a job seeker.
    JobSeeker(JobSeekerEvent),
    /// Of an employer.
    Employer(EmployerEvent),
    /// Of a vacancy.
    Vacancy(VacancyEvent),
    /// Of a referral.
    Referral(ReferralEvent),
    /// Of a bearer token.
    Token(TokenEvent),
    /// Of a zero-employment household.
    Household(HouseholdEvent),
    /// Of a public-welfare placement.
    Welfare(WelfareEvent),
    /// Of an internship.
    Internship(InternshipEvent),
    /// Of a job fair.
    Fair(FairEvent),
    /// Of a labour-security office.
    LabourOffice(LabourOfficeEvent),
    /// Of a monitoring point.
    MonitoringPoint(MonitoringPointEvent),
    /// Of an enterprise's monthly reports.
    EnterpriseReport(EnterpriseReportEvent),
    /// Of a layoff plan.
    LayoffPlan(LayoffPlanEvent),
    /// Of a region's early warning.
    Warning(WarningEvent),
    /// Of a wage-arrears case.
    WageArrears(WageArrearsEvent),
    /// Of a region's monthly report to the province.
    MonthlyReport(MonthlyReportEvent),
    /// Of a training provider.
    Provider(ProviderEvent),
    /// Of a course and its enrolments.
    Course(CourseEvent),
    /// Of the access log.
    Access(AccessEvent),
    /// Of a project of the entrepreneurship library.
    VentureProject(VentureProjectEvent),
    /// Of a one-stop entrepreneurship case.
    VentureCase(VentureCaseEvent),
    /// Of a guaranteed small loan.
    Loan(LoanEvent),
}

/// Every event type of the domain, with its current schema version.
pub fn event_types() -> &'static [EventType] {
    Event::types()
}

/// The current schema version of an event type; `None` for a type this
/// domain does not know.
pub fn current_schema_version(event_type: &str) -> Option<u32> {
    Event::current_schema_version(event_type)
}

/// Writes an event in its current shape.
pub fn encode(event: &Event) -> EncodedEvent {
    event.encode()
}

/// Reads an event of any schema version ever written, upcasting old ones.
pub fn decode(event_type: &str, schema_version: u32, data: &[u8]) -> Result<Event, DecodeError> {
    Event::decode(event_type, schema_version, data)
}

/// Brings the JSON of `schema_version` to the current version of
/// `event_type`, one step at a time.
pub fn upcast(event_type: &str, schema_version: u32, data: Value) -> Result<Value, DecodeError> {
    Event::upcast(event_type, schema_version, data)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn event_type_names_are_unique_across_contexts() {
        let mut names: Vec<_> = event_types().iter().map(|known| known.name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count);
    }

    #[test]
    fn every_type_below_its_current_version_has_an_upcaster() {
        for event_type in event_types() {
            for version in 1..event_type.schema_version {
                assert!(
                    Event::upcasters()
                        .iter()
                        .any(|upcaster| upcaster.event_type == event_type.name
                            && upcaster.from_version == version),
                    "{} {version}",
                    event_type.name
                );
            }
        }
    }

    #[test]
    fn the_current_version_passes_unchanged() {
        let data = json!({"vacancy_id": "x"});
        assert_eq!(upcast("VacancyFilled", 1, data.clone()).unwrap(), data);
    }

    #[test]
    fn unknown_types_and_versions_are_refused() {
        assert!(matches!(
            decode("JobSeekerDeleted", 1, b"{}"),
            Err(DecodeError::UnknownEventType { .. })
        ));
        assert!(matches!(
            decode("VacancyFilled", 2, b"{}"),
            Err(DecodeError::UnsupportedSchemaVersion { current: 1, .. })
        ));
        assert!(matches!(
            decode("VacancyFilled", 0, b"{}"),
            Err(DecodeError::UnsupportedSchemaVersion { .. })
        ));
    }

    #[test]
    fn data_that_is_not_json_is_malformed() {
        assert!(matches!(
            decode("VacancyFilled", 1, b"not json"),
            Err(DecodeError::Malformed { .. })
        ));
    }

    #[test]
    fn an_old_version_that_is_not_an_object_cannot_be_upcast() {
        assert!(matches!(
            decode("JobSeekerRegistered", 1, b"[]"),
            Err(DecodeError::Upcast {
                schema_version: 1,
                ..
            })
        ));
    }

    #[test]
    fn a_v1_category_that_is_not_a_string_cannot_be_upcast() {
        assert!(matches!(
            decode("JobSeekerRegistered", 1, br#"{"category": 3}"#),
            Err(DecodeError::Upcast { .. })
        ));
    }

    #[test]
    fn a_family_refuses_the_types_of_another() {
        assert!(matches!(
            VacancyEvent::decode("ReferralMade", 1, b"{}"),
            Err(DecodeError::UnknownEventType { .. })
        ));
    }
}
