//! One-stop entrepreneurship service cases (一条龙服务): a person starting
//! a business is taken through consultation, training, the business plan,
//! risk assessment and financing to a started business, recorded with its
//! unified social credit code once registered, and followed up for a
//! period after the start (12 months by default: rules data).
//!
//! Each step names the counsellor (the staff member's user id) and its
//! day; a case moves forward only (a step may be skipped, not repeated).

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::JobSeekerId;
use crate::value::{CreditCode, DivisionCode, OrganisationName};

mod commands;
mod error;
mod events;
mod rules;

pub use commands::*;
pub use error::*;
pub use events::*;
pub use rules::*;

crate::ids::aggregate_id!(
    /// Identifies a one-stop service case; stream `venturecase-<uuid>`.
    VentureCaseId,
    "venturecase",
    "one-stop service case"
);

/// A stage of the one-stop service, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStage {
    /// Policy consultation (政策咨询).
    Consultation,
    /// Entrepreneurship training (创业培训).
    Training,
    /// The business plan (计划书设计).
    BusinessPlan,
    /// Risk assessment (风险评估).
    RiskAssessment,
    /// Financing (融资).
    Financing,
    /// The business started (开业).
    Started,
    /// Follow-up after the start (跟踪服务).
    FollowUp,
}

impl CaseStage {
    /// Every stage, in order.
    pub const ALL: [CaseStage; 7] = [
        Self::Consultation,
        Self::Training,
        Self::BusinessPlan,
        Self::RiskAssessment,
        Self::Financing,
        Self::Started,
        Self::FollowUp,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consultation => "consultation",
            Self::Training => "training",
            Self::BusinessPlan => "business_plan",
            Self::RiskAssessment => "risk_assessment",
            Self::Financing => "financing",
            Self::Started => "started",
            Self::FollowUp => "follow_up",
        }
    }

    /// The stage of its name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|stage| stage.as_str() == text.trim())
    }
}

/// One stage reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRecord {
    /// The stage.
    pub stage: CaseStage,
    /// The day.
    pub on: NaiveDate,
    /// The counsellor (a staff user id).
    pub counsellor: String,
}

/// The business started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartedBusiness {
    /// Its name.
    pub name: OrganisationName,
    /// Its unified social credit code, once registered.
    pub credit_code: Option<CreditCode>,
    /// The day it started.
    pub started_on: NaiveDate,
    /// The last day of follow-up.
    pub follow_up_until: NaiveDate,
}

/// One follow-up of a started business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The day.
    pub on: NaiveDate,
    /// Whether the business still operates.
    pub operating: bool,
    /// How many people it employs.
    pub employees: u32,
    /// The counsellor.
    pub counsellor: String,
}

/// A case, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VentureCase {
    /// Its id.
    pub id: VentureCaseId,
    /// The person.
    pub jobseeker_id: JobSeekerId,
    /// The office serving them.
    pub office: DivisionCode,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// The stages reached, in order.
    pub stages: Vec<StageRecord>,
    /// The business, once started.
    pub business: Option<StartedBusiness>,
    /// Follow-ups.
    pub follow_ups: Vec<FollowUp>,
}

impl VentureCase {
    /// The stage reached last.
    pub fn stage(&self) -> CaseStage {
        self.stages
            .last()
            .map_or(CaseStage::Consultation, |record| record.stage)
    }
}

impl Aggregate for VentureCase {
    type Id = VentureCaseId;
    type Command = VentureCaseCommand;
    type Event = VentureCaseEvent;
    type Error = VentureCaseError;

    fn decide(
        state: Option<&Self>,
        command: VentureCaseCommand,
    ) -> Result<Vec<VentureCaseEvent>, VentureCaseError> {
        let case = match (state, command) {
            (
                None,
                VentureCaseCommand::Open {
                    case_id,
                    jobseeker_id,
                    office,
                    counsellor,
                    opened_at,
                    on,
                },
            ) => {
                return Ok(vec![VentureCaseEvent::Opened(VentureCaseOpened {
                    case_id,
                    jobseeker_id,
                    office,
                    counsellor,
                    opened_at,
                    on,
                })]);
            }
            (Some(_), VentureCaseCommand::Open { .. }) => {
                return Err(VentureCaseError::AlreadyExists);
            }
            (None, _) => return Err(VentureCaseError::NotFound),
            (Some(case), command) => (case, command),
        };
        let last_day = case.0.stages.last().map(|record| record.on);
        match case {
            (
                case,
                VentureCaseCommand::Advance {
                    stage,
                    on,
                    counsellor,
                },
            ) => {
                if stage <= case.stage() || stage >= CaseStage::Started {
                    return Err(VentureCaseError::StageOrder {
                        current: case.stage(),
                    });
                }
                if last_day.is_some_and(|last| on < last) {
                    return Err(VentureCaseError::DateBefore);
                }
                Ok(vec![VentureCaseEvent::StageReached(
                    VentureCaseStageReached {
                        case_id: case.id,
                        stage,
                        on,
                        counsellor,
                    },
                )])
            }
            (
                case,
                VentureCaseCommand::Start {
                    name,
                    credit_code,
                    started_on,
                    counsellor,
                    follow_up_months,
                },
            ) => {
                if case.business.is_some() {
                    return Err(VentureCaseError::StageOrder {
                        current: case.stage(),
                    });
                }
                if last_day.is_some_and(|last| started_on < last) {
                    return Err(VentureCaseError::DateBefore);
                }
                let follow_up_until = started_on
                    .checked_add_months(Months::new(follow_up_months))
                    .unwrap_or(NaiveDate::MAX);
                Ok(vec![VentureCaseEvent::BusinessStarted(
                    VentureBusinessStarted {
                        case_id: case.id,
                        name,
                        credit_code,
                        started_on,
                        follow_up_until,
                        counsellor,
                    },
                )])
            }
            (case, VentureCaseCommand::FollowUp { follow_up }) => {
                let Some(business) = &case.business else {
                    return Err(VentureCaseError::NotStarted);
                };
                if follow_up.on < business.started_on
                    || case
                        .follow_ups
                        .last()
                        .is_some_and(|last| follow_up.on < last.on)
                {
                    return Err(VentureCaseError::DateBefore);
                }
                if follow_up.on > business.follow_up_until {
                    return Err(VentureCaseError::FollowUpEnded {
                        until: business.follow_up_until,
                    });
                }
                Ok(vec![VentureCaseEvent::FollowUpRecorded(
                    VentureFollowUpRecorded {
                        case_id: case.id,
                        on: follow_up.on,
                        operating: follow_up.operating,
                        employees: follow_up.employees,
                        counsellor: follow_up.counsellor,
                    },
                )])
            }
            (
                case,
                VentureCaseCommand::Register {
                    credit_code,
                    registered_on,
                    counsellor,
                },
            ) => {
                let Some(business) = &case.business else {
                    return Err(VentureCaseError::NotStarted);
                };
                match &business.credit_code {
                    Some(known) if *known == credit_code => return Ok(Vec::new()),
                    Some(_) => return Err(VentureCaseError::AlreadyRegistered),
                    None => {}
                }
                if registered_on < business.started_on {
                    return Err(VentureCaseError::DateBefore);
                }
                Ok(vec![VentureCaseEvent::BusinessRegistered(
                    VentureBusinessRegistered {
                        case_id: case.id,
                        credit_code,
                        registered_on,
                        counsellor,
                    },
                )])
            }
            (_, VentureCaseCommand::Open { .. }) => Err(VentureCaseError::AlreadyExists),
        }
    }

    fn evolve(state: Option<Self>, event: &VentureCaseEvent) -> Option<Self> {
        let mut case = match (state, event) {
            (None, VentureCaseEvent::Opened(opened)) => {
                return Some(VentureCase {
                    id: opened.case_id,
                    jobseeker_id: opened.jobseeker_id,
                    office: opened.office.clone(),
                    opened_at: opened.opened_at,
                    stages: vec![StageRecord {
                        stage: CaseStage::Consultation,
                        on: opened.on,
                        counsellor: opened.counsellor.clone(),
                    }],
                    business: None,
                    follow_ups: Vec::new(),
                });
            }
            (None, _) => return None,
            (Some(case), _) => case,
        };
        match event {
            VentureCaseEvent::Opened(_) => {}
            VentureCaseEvent::StageReached(reached) => case.stages.push(StageRecord {
                stage: reached.stage,
                on: reached.on,
                counsellor: reached.counsellor.clone(),
            }),
            VentureCaseEvent::BusinessStarted(started) => {
                case.stages.push(StageRecord {
                    stage: CaseStage::Started,
                    on: started.started_on,
                    counsellor: started.counsellor.clone(),
                });
                case.business = Some(StartedBusiness {
                    name: started.name.clone(),
                    credit_code: started.credit_code.clone(),
                    started_on: started.started_on,
                    follow_up_until: started.follow_up_until,
                });
            }
            VentureCaseEvent::BusinessRegistered(registered) => {
                if let Some(business) = case.business.as_mut() {
                    business.credit_code = Some(registered.credit_code.clone());
                }
            }
            VentureCaseEvent::FollowUpRecorded(recorded) => {
                if case.stage() != CaseStage::FollowUp {
                    case.stages.push(StageRecord {
                        stage: CaseStage::FollowUp,
                        on: recorded.on,
                        counsellor: recorded.counsellor.clone(),
                    });
                }
                case.follow_ups.push(FollowUp {
                    on: recorded.on,
                    operating: recorded.operating,
                    employees: recorded.employees,
                    counsellor: recorded.counsellor.clone(),
                });
            }
        }
        Some(case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::assert_codes_unique;

    #[test]
    fn codes_are_unique_snake_case() {
        assert_codes_unique(&[
            &VentureCaseError::NotFound,
            &VentureCaseError::AlreadyExists,
            &VentureCaseError::StageOrder {
                current: CaseStage::Training,
            },
            &VentureCaseError::DateBefore,
            &VentureCaseError::NotStarted,
            &VentureCaseError::FollowUpEnded {
                until: NaiveDate::MIN,
            },
            &VentureCaseError::AlreadyRegistered,
        ]);
    }
}
