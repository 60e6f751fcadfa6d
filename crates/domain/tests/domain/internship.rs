//! Internships (就业见习): agreed for a graduate or a registered-unemployed
//! young person, for the office's months; attendance makes the subsidy
//! owed; ended early or completed; retained when the host employs the
//! intern, once.

use labex_domain::household::Cause;
use labex_domain::internship::{
    AgreeInternship, HostRates, InternFacts, InternRetained, Internship, InternshipAgreed,
    InternshipAttendanceRecorded, InternshipCommand, InternshipCompleted, InternshipEndedEarly,
    InternshipError, InternshipEvent, InternshipId, InternshipRules, InternshipStarted,
    InternshipStatus, attendance_months, last_day, subsidy_for_month,
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

fn attendance(month: chrono::NaiveDate, days_attended: u32) -> InternshipCommand {
    InternshipCommand::RecordAttendance {
        month,
        days_attended,
        working_days: 22,
    }
}

#[test]
fn an_internship_is_completed_from_the_last_day_of_its_months_not_before() {
    // Started 1 July 2026 for 6 months: the last day is 31 December.
    given::<Internship>([agreed(), started()])
        .when(InternshipCommand::Complete {
            on: date(2026, 12, 30),
        })
        .then_error(InternshipError::CompletedTooEarly {
            last_day: date(2026, 12, 31),
        });
    given::<Internship>([agreed(), started()])
        .when(InternshipCommand::Complete {
            on: date(2026, 7, 1),
        })
        .then_error(InternshipError::CompletedTooEarly {
            last_day: date(2026, 12, 31),
        });
    given::<Internship>([agreed(), started()])
        .when(InternshipCommand::Complete {
            on: date(2027, 1, 20),
        })
        .then([InternshipEvent::Completed(InternshipCompleted {
            internship_id: internship_id(),
            completed_on: date(2027, 1, 20),
        })]);
}

#[test]
fn before_its_months_are_over_an_internship_only_ends_early_with_a_reason() {
    let internship = given::<Internship>([agreed(), started()])
        .when(InternshipCommand::EndEarly {
            on: date(2026, 7, 1),
            reason: Note::parse("找到正式工作").unwrap(),
        })
        .then([InternshipEvent::EndedEarly(InternshipEndedEarly {
            internship_id: internship_id(),
            jobseeker_id: intern(),
            ended_on: date(2026, 7, 1),
            reason: Personal::Known(Note::parse("找到正式工作").unwrap()),
        })]);
    assert_eq!(internship.status, InternshipStatus::EndedEarly);
    assert_eq!(internship.last_day(), Some(date(2026, 12, 31)));
}

#[test]
fn attendance_is_of_the_internships_months_only() {
    let outside = InternshipError::MonthOutsideInternship {
        first: date(2026, 7, 1),
        last: date(2026, 12, 1),
    };
    // Before its start month.
    given::<Internship>([agreed(), started()])
        .when(attendance(date(2026, 6, 30), 10))
        .then_error(outside.clone());
    // The seventh month of six.
    given::<Internship>([agreed(), started()])
        .when(attendance(date(2027, 1, 5), 10))
        .then_error(outside);
    // The sixth is the last.
    given::<Internship>([agreed(), started()])
        .when(attendance(date(2026, 12, 1), 22))
        .then([InternshipEvent::AttendanceRecorded(
            InternshipAttendanceRecorded {
                internship_id: internship_id(),
                month: date(2026, 12, 1),
                days_attended: 22,
                working_days: 22,
                subsidy_owed_fen: 150_000,
            },
        )]);
    // Not started: no month is the internship's.
    given::<Internship>([agreed()])
        .when(attendance(date(2026, 7, 1), 10))
        .then_error(InternshipError::WrongStatus { status: "agreed" });
}

#[test]
fn an_internship_ended_early_records_no_attendance_after_the_month_it_ended() {
    let ended = InternshipEvent::EndedEarly(InternshipEndedEarly {
        internship_id: internship_id(),
        jobseeker_id: intern(),
        ended_on: date(2026, 9, 15),
        reason: Personal::Known(Note::parse("考取研究生").unwrap()),
    });
    given::<Internship>([agreed(), started(), ended.clone()])
        .when(attendance(date(2026, 10, 1), 5))
        .then_error(InternshipError::MonthOutsideInternship {
            first: date(2026, 7, 1),
            last: date(2026, 9, 1),
        });
    given::<Internship>([agreed(), started(), ended])
        .when(attendance(date(2026, 9, 1), 11))
        .then([InternshipEvent::AttendanceRecorded(
            InternshipAttendanceRecorded {
                internship_id: internship_id(),
                month: date(2026, 9, 1),
                days_attended: 11,
                working_days: 22,
                subsidy_owed_fen: 75_000,
            },
        )]);
}

#[test]
fn the_subsidy_owed_never_exceeds_the_months_times_the_monthly_subsidy() {
    // What an older version made owed already: all but 1,000 fen of the
    // whole (6 × 150,000).
    let nearly_all = InternshipEvent::AttendanceRecorded(InternshipAttendanceRecorded {
        internship_id: internship_id(),
        month: date(2026, 7, 1),
        days_attended: 22,
        working_days: 22,
        subsidy_owed_fen: 899_000,
    });
    let internship = given::<Internship>([agreed(), started(), nearly_all])
        .when(attendance(date(2026, 8, 1), 22))
        .then([InternshipEvent::AttendanceRecorded(
            InternshipAttendanceRecorded {
                internship_id: internship_id(),
                month: date(2026, 8, 1),
                days_attended: 22,
                working_days: 22,
                subsidy_owed_fen: 1_000,
            },
        )]);
    assert_eq!(internship.subsidy_owed_fen(), 900_000);
}

#[test]
fn an_agreement_without_a_monthly_subsidy_is_refused() {
    let InternshipCommand::Agree(mut agreement) = agree(graduate(), 6) else {
        unreachable!("an agreement")
    };
    agreement.monthly_subsidy_fen = 0;
    given::<Internship>([])
        .when(InternshipCommand::Agree(agreement))
        .then_error(InternshipError::SubsidyNotPositive);
}

#[test]
fn the_term_rules_as_functions() {
    assert_eq!(last_day(date(2026, 7, 1), 6), date(2026, 12, 31));
    assert_eq!(last_day(date(2026, 7, 15), 3), date(2026, 10, 14));
    assert_eq!(last_day(date(2026, 11, 30), 3), date(2027, 2, 27));
    assert_eq!(
        attendance_months(date(2026, 7, 15), 3, None),
        (date(2026, 7, 1), date(2026, 9, 1))
    );
    assert_eq!(
        attendance_months(date(2026, 7, 15), 3, Some(date(2026, 8, 2))),
        (date(2026, 7, 1), date(2026, 8, 1))
    );
    // In proportion, rounded down.
    assert_eq!(subsidy_for_month(150_000, 20, 22, 6, 0), 136_363);
    // Capped by what is left of the whole.
    assert_eq!(subsidy_for_month(150_000, 22, 22, 3, 400_000), 50_000);
    assert_eq!(subsidy_for_month(150_000, 22, 22, 3, 450_000), 0);
    // No working days, nothing owed; no overflow on large sums.
    assert_eq!(subsidy_for_month(150_000, 0, 0, 3, 0), 0);
    assert_eq!(subsidy_for_month(u64::MAX, 22, 22, 12, 0), u64::MAX);
}

#[test]
fn a_hosts_rates_count_its_interns_and_retention_never_exceeds_one() {
    use InternshipStatus::{Agreed, Completed, EndedEarly, Started};
    // None finished yet: no rates.
    let none = HostRates::of([(Agreed, false), (Started, false)]);
    assert_eq!(none.interns, 2);
    assert_eq!(none.completion_rate, None);
    assert_eq!(none.retention_rate, None);

    let rates = HostRates::of([
        (Completed, true),
        (Completed, false),
        (EndedEarly, false),
        (Started, false),
        (Agreed, false),
    ]);
    assert_eq!(
        (
            rates.interns,
            rates.completed,
            rates.ended_early,
            rates.retained
        ),
        (5, 2, 1, 1)
    );
    assert_eq!(rates.completion_rate, Some(2.0 / 3.0));
    assert_eq!(rates.retention_rate, Some(1.0 / 3.0));

    // Hired by the host while still under way: counted among those whose
    // retention is known, so the rate stays within 1.
    let early_hires = HostRates::of([(Started, true), (Started, true), (Completed, true)]);
    assert_eq!(early_hires.retained, 3);
    assert_eq!(early_hires.completion_rate, Some(1.0));
    assert_eq!(early_hires.retention_rate, Some(1.0));
    let mixed = HostRates::of([(Started, true), (EndedEarly, false)]);
    assert_eq!(mixed.completion_rate, Some(0.0));
    assert_eq!(mixed.retention_rate, Some(0.5));
}

#[test]
fn every_internship_status_parses_from_its_name() {
    for status in InternshipStatus::ALL {
        assert_eq!(InternshipStatus::parse(status.as_str()), Some(status));
    }
    assert_eq!(InternshipStatus::parse("retained"), None);
}
