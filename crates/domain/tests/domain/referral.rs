use chrono::{DateTime, Utc};
use labex_domain::jobseeker::JobSeekerForReferral;
use labex_domain::referral::ReferralError;
use labex_domain::referral::{
    MakeReferral, OpenReferral, RecordReferralOutcome, Referral, ReferralCommand, ReferralEvent,
    ReferralOutcome, ReferralOutcomeRecorded,
};
use labex_domain::vacancy::{VacancyForReferral, VacancyStatus};
use labex_domain::value::{JobSeekerCategory, Note};
use labex_domain::{Aggregate, Personal};

use crate::fixtures::*;
use crate::support::given;

fn open_vacancy() -> VacancyForReferral {
    VacancyForReferral {
        status: VacancyStatus::Open,
        employer_id: employer_id(),
        public_welfare: false,
        closes_at: Some(at("2024-06-30T16:00:00Z")),
    }
}

fn graduate() -> JobSeekerForReferral {
    JobSeekerForReferral {
        categories: categories(&[JobSeekerCategory::Graduate]),
    }
}

fn refer(vacancy: VacancyForReferral) -> MakeReferral {
    MakeReferral {
        referral_id: referral_id(),
        jobseeker_id: jobseeker_id(),
        vacancy_id: vacancy_id(),
        note: None,
        referred_at: referral_time(),
        vacancy,
        jobseeker: graduate(),
        open_referrals: vec![],
        fair_id: None,
    }
}

fn record(outcome: ReferralOutcome, on: chrono::NaiveDate) -> ReferralCommand {
    ReferralCommand::RecordOutcome(RecordReferralOutcome {
        outcome,
        date: on,
        note: None,
    })
}

fn recorded(outcome: ReferralOutcome, on: chrono::NaiveDate) -> ReferralEvent {
    ReferralEvent::OutcomeRecorded(ReferralOutcomeRecorded {
        referral_id: referral_id(),
        jobseeker_id: jobseeker_id(),
        vacancy_id: vacancy_id(),
        employer_id: employer_id(),
        outcome,
        date: on,
        note: None,
    })
}

fn with_status(status: VacancyStatus) -> VacancyForReferral {
    VacancyForReferral {
        status,
        ..open_vacancy()
    }
}

#[test]
fn a_job_seeker_is_referred_to_an_open_vacancy() {
    let referral = given::<Referral>([])
        .when(ReferralCommand::Make(refer(open_vacancy())))
        .then([referral_made()]);
    assert!(referral.is_open());
    assert_eq!(referral.employer_id, employer_id());
}

#[test]
fn the_counsellors_note_is_kept() {
    let note = Note::parse("已电话确认面试时间").unwrap();
    let mut make = refer(open_vacancy());
    make.note = Some(note.clone());
    let ReferralEvent::Made(mut expected) = referral_made() else {
        unreachable!("referral_made is a ReferralMade")
    };
    expected.note = Some(Personal::Known(note.clone()));
    let referral = given::<Referral>([])
        .when(ReferralCommand::Make(make))
        .then([ReferralEvent::Made(expected)]);
    assert_eq!(referral.note, Some(Personal::Known(note)));
}

#[test]
fn the_notes_of_both_events_are_the_job_seekers_personal_data() {
    use labex_domain::{DomainEvent, PersonalField};
    let note = PersonalField {
        field: "note",
        subject: "jobseeker_id",
    };
    assert_eq!(ReferralEvent::personal_fields("ReferralMade"), &[note]);
    assert_eq!(
        ReferralEvent::personal_fields("ReferralOutcomeRecorded"),
        &[note]
    );
}

#[test]
fn an_erased_note_folds_as_erased() {
    let ReferralEvent::Made(mut made) = referral_made() else {
        unreachable!("referral_made is a ReferralMade")
    };
    made.note = Some(Personal::Erased);
    let referral = Referral::fold([&ReferralEvent::Made(made)]).expect("a referral");
    assert_eq!(referral.note, Some(Personal::Erased));
}

#[test]
fn referral_to_a_closed_vacancy_is_refused() {
    given::<Referral>([])
        .when(ReferralCommand::Make(refer(with_status(
            VacancyStatus::Closed,
        ))))
        .then_error(ReferralError::VacancyNotOpen {
            status: VacancyStatus::Closed,
        });
}

#[test]
fn referral_to_a_filled_vacancy_is_refused() {
    given::<Referral>([])
        .when(ReferralCommand::Make(refer(with_status(
            VacancyStatus::Filled,
        ))))
        .then_error(ReferralError::VacancyNotOpen {
            status: VacancyStatus::Filled,
        });
}

#[test]
fn referral_after_the_closing_time_is_refused() {
    let closes_at: DateTime<Utc> = at("2024-03-04T01:59:59Z");
    given::<Referral>([])
        .when(ReferralCommand::Make(refer(VacancyForReferral {
            closes_at: Some(closes_at),
            ..open_vacancy()
        })))
        .then_error(ReferralError::VacancyPastClosingTime { closes_at });
}

#[test]
fn a_second_open_referral_to_the_same_vacancy_is_refused() {
    let mut make = refer(open_vacancy());
    make.referral_id = other_referral_id();
    make.open_referrals = vec![OpenReferral {
        referral_id: referral_id(),
        vacancy_id: vacancy_id(),
    }];
    given::<Referral>([])
        .when(ReferralCommand::Make(make))
        .then_error(ReferralError::DuplicateOpenReferral {
            existing: referral_id(),
        });
}

#[test]
fn an_open_referral_to_another_vacancy_does_not_prevent_a_referral() {
    let mut make = refer(open_vacancy());
    make.open_referrals = vec![OpenReferral {
        referral_id: other_referral_id(),
        vacancy_id: other_vacancy_id(),
    }];
    given::<Referral>([])
        .when(ReferralCommand::Make(make))
        .then([referral_made()]);
}

#[test]
fn referral_to_a_public_welfare_post_requires_a_hard_to_employ_job_seeker() {
    given::<Referral>([])
        .when(ReferralCommand::Make(refer(VacancyForReferral {
            public_welfare: true,
            ..open_vacancy()
        })))
        .then_error(ReferralError::NotEligibleForPublicWelfarePost);
}

#[test]
fn a_member_of_a_zero_employment_household_may_be_referred_to_a_public_welfare_post() {
    let mut make = refer(VacancyForReferral {
        public_welfare: true,
        ..open_vacancy()
    });
    make.jobseeker = JobSeekerForReferral {
        categories: categories(&[
            JobSeekerCategory::Graduate,
            JobSeekerCategory::ZeroEmploymentHousehold,
        ]),
    };
    given::<Referral>([])
        .when(ReferralCommand::Make(make))
        .then([referral_made()]);
}

#[test]
fn making_an_existing_referral_again_is_refused() {
    given::<Referral>([referral_made()])
        .when(ReferralCommand::Make(refer(open_vacancy())))
        .then_error(ReferralError::AlreadyExists);
}

#[test]
fn each_outcome_ends_a_referral() {
    for outcome in [
        ReferralOutcome::Hired,
        ReferralOutcome::Rejected,
        ReferralOutcome::NoShow,
        ReferralOutcome::Withdrawn,
    ] {
        let referral = given::<Referral>([referral_made()])
            .when(record(outcome, date(2024, 3, 8)))
            .then([recorded(outcome, date(2024, 3, 8))]);
        assert!(!referral.is_open(), "{outcome}");
        let conclusion = referral.conclusion.expect("concluded");
        assert_eq!(conclusion.outcome, outcome);
        assert_eq!(conclusion.date, date(2024, 3, 8));
    }
}

#[test]
fn a_second_outcome_is_refused() {
    given::<Referral>([
        referral_made(),
        recorded(ReferralOutcome::Rejected, date(2024, 3, 8)),
    ])
    .when(record(ReferralOutcome::Hired, date(2024, 3, 9)))
    .then_error(ReferralError::AlreadyConcluded {
        outcome: ReferralOutcome::Rejected,
    });
}

#[test]
fn the_same_outcome_twice_is_refused_too() {
    given::<Referral>([
        referral_made(),
        recorded(ReferralOutcome::Hired, date(2024, 3, 8)),
    ])
    .when(record(ReferralOutcome::Hired, date(2024, 3, 8)))
    .then_error(ReferralError::AlreadyConcluded {
        outcome: ReferralOutcome::Hired,
    });
}

#[test]
fn an_outcome_dated_before_the_referral_is_refused() {
    given::<Referral>([referral_made()])
        .when(record(ReferralOutcome::NoShow, date(2024, 3, 3)))
        .then_error(ReferralError::OutcomeBeforeReferral);
}

#[test]
fn an_outcome_on_the_day_of_the_referral_in_china_is_accepted() {
    // Referred at 17:30 UTC on 3 March: already 4 March in China.
    let late_referral = ReferralEvent::Made(labex_domain::referral::ReferralMade {
        referral_id: referral_id(),
        jobseeker_id: jobseeker_id(),
        vacancy_id: vacancy_id(),
        employer_id: employer_id(),
        note: None,
        referred_at: at("2024-03-03T17:30:00Z"),
        fair_id: None,
    });
    given::<Referral>([late_referral.clone()])
        .when(record(ReferralOutcome::Withdrawn, date(2024, 3, 4)))
        .then([recorded(ReferralOutcome::Withdrawn, date(2024, 3, 4))]);
    given::<Referral>([late_referral])
        .when(record(ReferralOutcome::Withdrawn, date(2024, 3, 3)))
        .then_error(ReferralError::OutcomeBeforeReferral);
}

#[test]
fn recording_an_outcome_for_an_unknown_referral_is_refused() {
    given::<Referral>([])
        .when(record(ReferralOutcome::Hired, date(2024, 3, 8)))
        .then_error(ReferralError::NotFound);
}
