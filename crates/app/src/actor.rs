//! Who is asking, and the rules of DESIGN's "who may do what": roles, and
//! office scope (an office acts within every division its code covers).

use labex_domain::EmployerId;
use labex_domain::value::DivisionCode;
use labex_eventsourcing::EventContext;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Error;

/// What an actor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A person looking for work.
    Jobseeker,
    /// An employer, acting for its own `employer_id` only.
    Employer,
    /// An employment-office counsellor, within the office's scope.
    Counsellor,
    /// An office administrator, within the office's scope.
    OfficeAdmin,
    /// The province: everything, everywhere.
    Province,
    /// Staff of a human-resources market who run job fairs (招聘会),
    /// within their office's scope.
    Organiser,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Jobseeker,
        Role::Employer,
        Role::Counsellor,
        Role::OfficeAdmin,
        Role::Province,
        Role::Organiser,
    ];

    /// The role of its snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == text.trim())
    }

    /// The snake_case name used in tokens and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jobseeker => "jobseeker",
            Self::Employer => "employer",
            Self::Counsellor => "counsellor",
            Self::OfficeAdmin => "office_admin",
            Self::Province => "province",
            Self::Organiser => "organiser",
        }
    }
}

/// Office staff: who registers, refers and follows job seekers (the
/// province too, which may do everything).
pub const STAFF: &[Role] = &[Role::Counsellor, Role::OfficeAdmin];

/// Office staff and the province, named: who records what offices
/// decide (outcomes of referrals, say).
pub const OFFICE_STAFF: &[Role] = &[Role::Counsellor, Role::OfficeAdmin, Role::Province];

/// The authenticated user a use case acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Who: a user id (a job seeker's own id for job seekers).
    pub subject: String,
    /// What they are.
    pub role: Role,
    /// Their office (administrative division code).
    pub office: DivisionCode,
    /// The employer an employer acts for.
    pub employer_id: Option<EmployerId>,
    /// The conversation the actor's request belongs to (the request id):
    /// the correlation and causation of the events it writes.
    pub correlation_id: Uuid,
}

impl Actor {
    /// The context of the events this actor's request writes, for the
    /// record of `office` (the office of the record an event belongs to:
    /// the job seeker's, the employer's region, the vacancy's employer's).
    pub fn event_context(&self, office: &DivisionCode) -> EventContext {
        EventContext::for_request(self.correlation_id, &self.subject, Some(office.clone()))
    }

    /// Whether the actor has one of `roles` (the province always does).
    pub fn require_role(&self, roles: &[Role]) -> Result<(), Error> {
        if self.role == Role::Province || roles.contains(&self.role) {
            return Ok(());
        }
        Err(Error::forbidden(
            "Your role may not do this; use a token of a role that may.",
        ))
    }

    /// Whether the actor may act as an office in `office`: the province
    /// everywhere, counsellors and office administrators within their
    /// office's scope, nobody else.
    pub fn may_act_in(&self, office: &DivisionCode) -> Result<(), Error> {
        match self.role {
            Role::Province => Ok(()),
            Role::Counsellor | Role::OfficeAdmin if self.office.covers(office) => Ok(()),
            Role::Counsellor | Role::OfficeAdmin => Err(Error::forbidden(format!(
                "Office {} may not act in division {office}; ask an office whose scope covers it.",
                self.office
            ))),
            Role::Jobseeker | Role::Employer | Role::Organiser => Err(Error::forbidden(
                "Only employment-office staff may do this; ask your employment office.",
            )),
        }
    }

    /// Whether the actor has one of `roles` and its office's scope covers
    /// `office` (the province always): for what staff other than the
    /// counsellors do in their scope, such as organisers running fairs.
    pub fn may_act_in_as(&self, roles: &[Role], office: &DivisionCode) -> Result<(), Error> {
        self.require_role(roles)?;
        if self.role == Role::Province || self.office.covers(office) {
            return Ok(());
        }
        Err(Error::forbidden(format!(
            "Office {} may not act in division {office}; ask an office whose scope covers it.",
            self.office
        )))
    }

    /// Whether the actor may act for the employer `employer` registered in
    /// `office`: that employer itself, or an office whose scope covers it.
    pub fn may_act_for_employer(
        &self,
        employer: EmployerId,
        office: &DivisionCode,
    ) -> Result<(), Error> {
        match self.role {
            Role::Employer if self.employer_id == Some(employer) => Ok(()),
            Role::Employer => Err(Error::forbidden(
                "An employer may act only for itself; use a token issued to this employer.",
            )),
            _ => self.may_act_in(office),
        }
    }

    /// Whether the actor is the job seeker `subject` names (a job seeker's
    /// token carries their own id).
    pub fn is_jobseeker(&self, jobseeker: labex_domain::JobSeekerId) -> bool {
        self.role == Role::Jobseeker && self.subject == jobseeker.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, office: &str, employer_id: Option<EmployerId>) -> Actor {
        Actor {
            subject: "u1".to_owned(),
            role,
            office: DivisionCode::parse(office).unwrap(),
            employer_id,
            correlation_id: Uuid::now_v7(),
        }
    }

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn a_city_counsellor_acts_in_its_districts_but_not_elsewhere() {
        let counsellor = actor(Role::Counsellor, "410100", None);
        assert!(counsellor.may_act_in(&code("410105")).is_ok());
        assert!(counsellor.may_act_in(&code("410000")).is_err());
        assert!(counsellor.may_act_in(&code("420100")).is_err());
    }

    #[test]
    fn the_province_acts_everywhere_and_job_seekers_nowhere() {
        assert!(
            actor(Role::Province, "410000", None)
                .may_act_in(&code("420100"))
                .is_ok()
        );
        assert!(
            actor(Role::Jobseeker, "410105", None)
                .may_act_in(&code("410105"))
                .is_err()
        );
    }

    #[test]
    fn an_employer_acts_only_for_itself() {
        let own = EmployerId::generate();
        let employer = actor(Role::Employer, "410105", Some(own));
        assert!(employer.may_act_for_employer(own, &code("410105")).is_ok());
        assert!(
            employer
                .may_act_for_employer(EmployerId::generate(), &code("410105"))
                .is_err()
        );
    }

    #[test]
    fn an_organiser_acts_in_its_scope_only_for_what_organisers_do() {
        let organiser = actor(Role::Organiser, "410100", None);
        assert_eq!(Role::parse("organiser"), Some(Role::Organiser));
        assert!(organiser.may_act_in(&code("410105")).is_err());
        let fair_staff = [Role::Organiser, Role::OfficeAdmin];
        assert!(
            organiser
                .may_act_in_as(&fair_staff, &code("410105"))
                .is_ok()
        );
        assert!(
            organiser
                .may_act_in_as(&fair_staff, &code("420100"))
                .is_err()
        );
        assert!(organiser.may_act_in_as(STAFF, &code("410105")).is_err());
    }

    #[test]
    fn the_province_has_every_role() {
        let province = actor(Role::Province, "410000", None);
        assert!(province.require_role(STAFF).is_ok());
        assert!(
            actor(Role::Employer, "410105", None)
                .require_role(STAFF)
                .is_err()
        );
    }
}
