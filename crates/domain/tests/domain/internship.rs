//! Internships (就业见习): agreed for a graduate or a registered-unemployed
//! young person, for the office's months; attendance makes the subsidy
//! owed; ended early or completed; retained when the host employs the
//! intern, once.

use labex_domain::household::Cause;
use labex_domain::internship::{
    AgreeInternship, InternFacts, InternRetained, Internship, InternshipAgreed,
    InternshipAttendanceRecorded, InternshipCommand, InternshipCompleted, InternshipEndedEarly,
    InternshipError, InternshipEvent, InternshipId, InternshipRules, InternshipStarted,
    InternshipStatus,
};
use labex_domain::value::{Note, PersonName};
use labex_domain::{EmployerId, JobSeekerId, Personal};
use uuid::Uuid;

use crate::fixtures::{date, division};
use crate::support::given;

fn internship_id() -> InternshipId {
    InternshipId::parse("0190f5a8-0000-7000-8000-000000000101").unwrap()
}

fn intern() -> JobSeekerId {
    JobSeekerId::parse("0190f5a8-0000-7000-8000-0000000000b1").unwrap()
}

fn host() -> EmployerId {
    EmployerId::parse("0190f5a8-0000-7000-8000-0000000000f1").unwrap()
}

fn agree(facts: InternFacts, months: u32) -> InternshipCommand {
    InternshipCommand::Agree(AgreeInternship {
        internship_id: internship_id(),
        jobseeker_id: intern(),
        intern: facts,
        employer_id: host(),
        office: division("410105"),
        months,
        monthly_subsidy_fen: 150_000,
        tutor: PersonName::parse("陈老师").unwrap(),
        rules: InternshipRules::default(),
    })
}

fn graduate() -> InternFacts {
    InternFacts {
        graduate: true,
        registered_unemployed: false,
        age: 23,
    }
}

fn agreed() -> InternshipEvent {
    InternshipEvent::Agreed(InternshipAgreed {
        internship_id: internship_id(),
        jobseeker_id: intern(),
        employer_id: host(),
        office: division("410105"),
        months: 6,
        monthly_subsidy_fen: 150_000,
        tutor: Personal::Known(PersonName::parse("陈老师").unwrap()),
    })
}

fn started() -> InternshipEvent {
    InternshipEvent::Started(InternshipStarted {
        internship_id: internship_id(),
        started_on: date(2026, 7, 1),
    })
}

#[test]
fn a_graduate_is_agreed_an_internship_within_the_offices_months() {
    given::<Internship>([])
        .when(agree(graduate(), 6))
        .then([agreed()]);
    given::<Internship>([])
        .when(agree(graduate(), 13))
        .then_error(InternshipError::MonthsOutOfRange { min: 3, max: 12 });
}

#[test]
fn a_young_person_must_be_registered_unemployed_and_within_the_offices_ages() {
    let young = |registered_unemployed, age| InternFacts {
        graduate: false,
        registered_unemployed,
        age,
    };
    given::<Internship>([])
        .when(agree(young(true, 20), 6))
        .then([agreed()]);
    for facts in [young(false, 20), young(true, 25)] {
        given::<Internship>([])
            .when(agree(facts, 6))
            .then_error(InternshipError::NotEligible {
                min_age: 16,
                max_age: 24,
            });
    }
}

#[test]
fn attendance_makes_the_subsidy_owed_in_proportion_once_a_month() {
    let recorded = InternshipEvent::AttendanceRecorded(InternshipAttendanceRecorded {
        internship_id: internship_id(),
        month: date(2026, 7, 1),
        days_attended: 20,
        working_days: 22,
        subsidy_owed_fen: 136_363,
    });
    let internship = given::<Internship>([agreed(), started()])
        .when(InternshipCommand::RecordAttendance {
            month: date(2026, 7, 31),
            days_attended: 20,
            working_days: 22,
        })
        .then([recorded.clone()]);
    assert_eq!(internship.subsidy_owed_fen(), 136_363);
    given::<Internship>([agreed(), started(), recorded])
        .when(InternshipCommand::RecordAttendance {
            month: date(2026, 7, 15),
            days_attended: 1,
            working_days: 22,
        })
        .then_error(InternshipError::MonthRecorded);
    given::<Internship>([agreed(), started()])
        .when(InternshipCommand::RecordAttendance {
            month: date(2026, 8, 1),
            days_attended: 23,
            working_days: 22,
        })
        .then_error(InternshipError::AttendanceInvalid);
}

#[test]
fn an_internship_ends_early_with_a_reason_or_is_completed_once_started() {
    given::<Internship>([agreed()])
        .when(InternshipCommand::Complete {
            on: date(2026, 12, 31),
        })
        .then_error(InternshipError::WrongStatus { status: "agreed" });
    let internship = given::<Internship>([agreed(), started()])
        .when(InternshipCommand::EndEarly {
            on: date(2026, 9, 15),
            reason: Note::parse("考取研究生").unwrap(),
        })
        .then([InternshipEvent::EndedEarly(InternshipEndedEarly {
            internship_id: internship_id(),
            jobseeker_id: intern(),
            ended_on: date(2026, 9, 15),
            reason: Personal::Known(Note::parse("考取研究生").unwrap()),
        })]);
    assert_eq!(internship.status, InternshipStatus::EndedEarly);
    let completed = given::<Internship>([agreed(), started()])
        .when(InternshipCommand::Complete {
            on: date(2026, 12, 31),
        })
        .then([InternshipEvent::Completed(InternshipCompleted {
            internship_id: internship_id(),
            completed_on: date(2026, 12, 31),
        })]);
    assert_eq!(completed.status, InternshipStatus::Completed);
}

#[test]
fn the_host_employing_the_intern_is_a_retention_once_and_another_employer_is_none() {
    let hired = Cause {
        event_id: Uuid::from_u128(9),
        event_type: "ReferralOutcomeRecorded".to_owned(),
    };
    let completed = InternshipEvent::Completed(InternshipCompleted {
        internship_id: internship_id(),
        completed_on: date(2026, 12, 31),
    });
    let retained = InternshipEvent::Retained(InternRetained {
        internship_id: internship_id(),
        retained_on: date(2027, 1, 4),
        cause: hired.clone(),
    });
    let employ = |employer_id| InternshipCommand::RecordEmployment {
        employer_id,
        started_on: date(2027, 1, 4),
        cause: hired.clone(),
    };
    given::<Internship>([agreed(), started(), completed.clone()])
        .when(employ(EmployerId::generate()))
        .then_nothing();
    let internship = given::<Internship>([agreed(), started(), completed.clone()])
        .when(employ(host()))
        .then([retained.clone()]);
    assert_eq!(internship.retained_on, Some(date(2027, 1, 4)));
    given::<Internship>([agreed(), started(), completed, retained])
        .when(employ(host()))
        .then_nothing();
}
