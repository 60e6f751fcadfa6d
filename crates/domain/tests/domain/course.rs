//! Courses and their enrolments: seats and the waiting list, completion,
//! drop-out, skill appraisal, and the employment that counts for a course.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use labex_domain::JobSeekerId;
use labex_domain::course::*;
use labex_domain::provider::{
    Provider, ProviderCommand, ProviderError, ProviderEvent, ProviderId, ProviderRegistered,
    RegisterProvider,
};
use labex_domain::value::{CreditCode, Fen, JobSeekerCategory, OrganisationName, Title};

use crate::fixtures::*;
use crate::support::given;

fn course_id() -> CourseId {
    CourseId::parse("0190f5a8-0000-7000-8000-000000000020").unwrap()
}

fn provider_id() -> ProviderId {
    ProviderId::parse("0190f5a8-0000-7000-8000-000000000022").unwrap()
}

fn enrolment(n: u128) -> EnrolmentId {
    EnrolmentId::from_uuid(uuid::Uuid::from_u128(
        0x0190f5a8_0000_7000_8000_000000000100 + n,
    ))
}

fn trainee(n: u128) -> JobSeekerId {
    JobSeekerId::from_uuid(uuid::Uuid::from_u128(
        0x0190f5a8_0000_7000_8000_000000000200 + n,
    ))
}

fn opened_at() -> DateTime<Utc> {
    at("2026-02-01T02:00:00Z")
}

fn enrolled_at() -> DateTime<Utc> {
    at("2026-02-10T01:30:00Z")
}

fn welding(seats: i64, eligible: &[JobSeekerCategory]) -> CourseDetails {
    CourseDetails {
        title: Title::parse("焊工培训班").unwrap(),
        kind: CourseKind::ReEmployment,
        occupation: Some(label("6-18-02-04")),
        description: None,
        hours: CourseHours::parse(240).unwrap(),
        seats: Seats::parse(seats).unwrap(),
        starts_on: date(2026, 3, 2),
        ends_on: date(2026, 4, 30),
        region: division("410105"),
        subsidy_per_trainee_fen: Fen::parse(150_000).unwrap(),
        eligible_categories: eligible.iter().copied().collect(),
        order: None,
    }
}

fn open(details: CourseDetails) -> CourseCommand {
    CourseCommand::Open(OpenCourse {
        course_id: course_id(),
        provider_id: provider_id(),
        office: division("410105"),
        details,
        opened_at: opened_at(),
    })
}

fn opened(details: CourseDetails) -> CourseEvent {
    CourseEvent::Opened(CourseOpened {
        course_id: course_id(),
        provider_id: provider_id(),
        office: division("410105"),
        details,
        opened_at: opened_at(),
    })
}

fn enrol(n: u128, categories: &[JobSeekerCategory]) -> CourseCommand {
    CourseCommand::Enrol(Enrol {
        enrolment_id: enrolment(n),
        jobseeker_id: trainee(n),
        categories: categories.iter().copied().collect(),
        enrolled_at: enrolled_at(),
        waiting_list_max: 1,
    })
}

fn enrolled(n: u128, placement: Placement) -> CourseEvent {
    CourseEvent::Enrolled(TraineeEnrolled {
        course_id: course_id(),
        enrolment_id: enrolment(n),
        jobseeker_id: trainee(n),
        placement,
        enrolled_at: enrolled_at(),
    })
}

fn completed(n: u128) -> CourseEvent {
    CourseEvent::Completed(TrainingCompleted {
        course_id: course_id(),
        enrolment_id: enrolment(n),
        jobseeker_id: trainee(n),
        completed_on: date(2026, 4, 30),
    })
}

fn record_employment(n: u128, started_on: chrono::NaiveDate) -> CourseCommand {
    CourseCommand::RecordEmployment(RecordTraineeEmployment {
        enrolment_id: enrolment(n),
        started_on,
        employer_id: Some(employer_id()),
        source: EmploymentSource::Hire,
        window_months: 6,
    })
}

fn employment_recorded(n: u128, started_on: chrono::NaiveDate) -> CourseEvent {
    CourseEvent::EmploymentRecorded(TraineeEmploymentRecorded {
        course_id: course_id(),
        enrolment_id: enrolment(n),
        jobseeker_id: trainee(n),
        started_on,
        employer_id: Some(employer_id()),
        source: EmploymentSource::Hire,
    })
}

#[test]
fn a_provider_is_registered_once() {
    let register = RegisterProvider {
        provider_id: provider_id(),
        name: OrganisationName::parse("金水区职业技能培训学校").unwrap(),
        credit_code: CreditCode::parse("91350100M000100Y43").unwrap(),
        office: division("410105"),
    };
    let registered = ProviderEvent::Registered(ProviderRegistered {
        provider_id: register.provider_id,
        name: register.name.clone(),
        credit_code: register.credit_code.clone(),
        office: register.office.clone(),
    });
    let provider = given::<Provider>([])
        .when(ProviderCommand::Register(register.clone()))
        .then([registered.clone()]);
    assert_eq!(provider.office, division("410105"));
    given::<Provider>([registered])
        .when(ProviderCommand::Register(register))
        .then_error(ProviderError::AlreadyExists);
}

#[test]
fn a_course_is_opened_with_its_details() {
    let course = given::<Course>([])
        .when(open(welding(30, &[])))
        .then([opened(welding(30, &[]))]);
    assert_eq!(course.seats_taken(), 0);
    assert_eq!(course.details.subsidy_per_trainee_fen.get(), 150_000);
}

#[test]
fn a_course_that_ends_before_it_starts_is_refused() {
    let mut details = welding(30, &[]);
    details.ends_on = date(2026, 3, 1);
    given::<Course>([])
        .when(open(details))
        .then_error(CourseError::EndsBeforeStart);
}

#[test]
fn an_order_based_course_names_its_employer_and_only_it_does() {
    let mut order_based = welding(30, &[]);
    order_based.kind = CourseKind::OrderBased;
    given::<Course>([])
        .when(open(order_based.clone()))
        .then_error(CourseError::OrderCommitment);
    order_based.order = Some(OrderCommitment {
        employer_id: employer_id(),
        committed_hires: CommittedHires::parse(20).unwrap(),
    });
    given::<Course>([])
        .when(open(order_based.clone()))
        .then([opened(order_based.clone())]);
    let mut plain = order_based;
    plain.kind = CourseKind::Employment;
    given::<Course>([])
        .when(open(plain))
        .then_error(CourseError::OrderCommitment);
}

#[test]
fn a_trainee_takes_a_free_seat_and_the_next_waits_when_the_seats_are_taken() {
    given::<Course>([opened(welding(1, &[]))])
        .when(enrol(1, &[]))
        .then([enrolled(1, Placement::Seat)]);
    let course = given::<Course>([opened(welding(1, &[])), enrolled(1, Placement::Seat)])
        .when(enrol(2, &[]))
        .then([enrolled(2, Placement::WaitingList)]);
    assert_eq!(course.waiting, vec![enrolment(2)]);
}

#[test]
fn a_full_waiting_list_refuses_another_enrolment() {
    given::<Course>([
        opened(welding(1, &[])),
        enrolled(1, Placement::Seat),
        enrolled(2, Placement::WaitingList),
    ])
    .when(enrol(3, &[]))
    .then_error(CourseError::WaitingListFull);
}

#[test]
fn a_targeted_course_takes_only_job_seekers_of_its_categories() {
    let targeted = welding(
        30,
        &[JobSeekerCategory::LaidOff, JobSeekerCategory::MigrantWorker],
    );
    given::<Course>([opened(targeted.clone())])
        .when(enrol(1, &[JobSeekerCategory::Graduate]))
        .then_error(CourseError::NotEligible);
    given::<Course>([opened(targeted)])
        .when(enrol(
            1,
            &[JobSeekerCategory::Graduate, JobSeekerCategory::LaidOff],
        ))
        .then([enrolled(1, Placement::Seat)]);
}

#[test]
fn a_job_seeker_enrols_in_a_course_once() {
    given::<Course>([opened(welding(30, &[])), enrolled(1, Placement::Seat)])
        .when(CourseCommand::Enrol(Enrol {
            enrolment_id: enrolment(9),
            jobseeker_id: trainee(1),
            categories: BTreeSet::new(),
            enrolled_at: enrolled_at(),
            waiting_list_max: 100,
        }))
        .then_error(CourseError::AlreadyEnrolled {
            existing: enrolment(1),
        });
}

#[test]
fn an_enrolment_after_the_course_ended_is_refused() {
    given::<Course>([opened(welding(30, &[]))])
        .when(CourseCommand::Enrol(Enrol {
            enrolment_id: enrolment(1),
            jobseeker_id: trainee(1),
            categories: BTreeSet::new(),
            enrolled_at: at("2026-05-01T01:00:00Z"),
            waiting_list_max: 100,
        }))
        .then_error(CourseError::CourseEnded {
            ends_on: date(2026, 4, 30),
        });
}

#[test]
fn a_cancelled_seat_goes_to_the_first_on_the_waiting_list() {
    let cancelled_at = at("2026-02-20T03:00:00Z");
    let course = given::<Course>([
        opened(welding(1, &[])),
        enrolled(1, Placement::Seat),
        enrolled(2, Placement::WaitingList),
    ])
    .when(CourseCommand::Cancel(CancelEnrolment {
        enrolment_id: enrolment(1),
        cancelled_at,
    }))
    .then([
        CourseEvent::Cancelled(EnrolmentCancelled {
            course_id: course_id(),
            enrolment_id: enrolment(1),
            cancelled_at,
        }),
        CourseEvent::Promoted(TraineePromoted {
            course_id: course_id(),
            enrolment_id: enrolment(2),
            promoted_at: cancelled_at,
        }),
    ]);
    assert_eq!(
        course.enrolments[&enrolment(2)].status,
        EnrolmentStatus::Seated
    );
    assert!(course.waiting.is_empty());
    assert_eq!(course.seats_taken(), 1);
}

#[test]
fn cancelling_a_place_on_the_waiting_list_promotes_nobody() {
    let cancelled_at = at("2026-02-20T03:00:00Z");
    given::<Course>([
        opened(welding(1, &[])),
        enrolled(1, Placement::Seat),
        enrolled(2, Placement::WaitingList),
    ])
    .when(CourseCommand::Cancel(CancelEnrolment {
        enrolment_id: enrolment(2),
        cancelled_at,
    }))
    .then([CourseEvent::Cancelled(EnrolmentCancelled {
        course_id: course_id(),
        enrolment_id: enrolment(2),
        cancelled_at,
    })]);
}

#[test]
fn a_seated_trainee_completes_and_one_waiting_cannot() {
    let history = [
        opened(welding(1, &[])),
        enrolled(1, Placement::Seat),
        enrolled(2, Placement::WaitingList),
    ];
    given::<Course>(history.clone())
        .when(CourseCommand::Complete(CompleteTraining {
            enrolment_id: enrolment(1),
            completed_on: date(2026, 4, 30),
        }))
        .then([completed(1)]);
    given::<Course>(history)
        .when(CourseCommand::Complete(CompleteTraining {
            enrolment_id: enrolment(2),
            completed_on: date(2026, 4, 30),
        }))
        .then_error(CourseError::WrongStatus {
            status: EnrolmentStatus::Waiting,
        });
}

#[test]
fn a_drop_out_is_recorded_and_cannot_then_complete() {
    let dropped = CourseEvent::DroppedOut(TrainingDroppedOut {
        course_id: course_id(),
        enrolment_id: enrolment(1),
        left_on: date(2026, 3, 20),
    });
    given::<Course>([opened(welding(1, &[])), enrolled(1, Placement::Seat)])
        .when(CourseCommand::DropOut(DropOut {
            enrolment_id: enrolment(1),
            left_on: date(2026, 3, 20),
        }))
        .then([dropped.clone()]);
    given::<Course>([
        opened(welding(1, &[])),
        enrolled(1, Placement::Seat),
        dropped,
    ])
    .when(CourseCommand::Complete(CompleteTraining {
        enrolment_id: enrolment(1),
        completed_on: date(2026, 4, 30),
    }))
    .then_error(CourseError::WrongStatus {
        status: EnrolmentStatus::DroppedOut,
    });
}

#[test]
fn a_completion_before_the_course_started_is_refused() {
    given::<Course>([opened(welding(1, &[])), enrolled(1, Placement::Seat)])
        .when(CourseCommand::Complete(CompleteTraining {
            enrolment_id: enrolment(1),
            completed_on: date(2026, 3, 1),
        }))
        .then_error(CourseError::BeforeStart);
}

#[test]
fn a_trainee_who_completed_is_appraised_and_one_still_training_is_not() {
    let course = given::<Course>([
        opened(welding(2, &[])),
        enrolled(1, Placement::Seat),
        completed(1),
    ])
    .when(CourseCommand::Appraise(AppraiseSkill {
        enrolment_id: enrolment(1),
        level: CertificateLevel::Level4,
        passed: true,
        appraised_on: date(2026, 5, 12),
    }))
    .then([CourseEvent::Appraised(SkillAppraised {
        course_id: course_id(),
        enrolment_id: enrolment(1),
        level: CertificateLevel::Level4,
        passed: true,
        appraised_on: date(2026, 5, 12),
    })]);
    assert_eq!(
        course.enrolments[&enrolment(1)]
            .appraisal
            .as_ref()
            .map(|a| a.level),
        Some(CertificateLevel::Level4)
    );
    given::<Course>([opened(welding(2, &[])), enrolled(1, Placement::Seat)])
        .when(CourseCommand::Appraise(AppraiseSkill {
            enrolment_id: enrolment(1),
            level: CertificateLevel::Level5,
            passed: false,
            appraised_on: date(2026, 5, 12),
        }))
        .then_error(CourseError::WrongStatus {
            status: EnrolmentStatus::Seated,
        });
}

#[test]
fn employment_within_six_months_of_completion_counts_once() {
    let history = [
        opened(welding(2, &[])),
        enrolled(1, Placement::Seat),
        completed(1),
    ];
    let course = given::<Course>(history.clone())
        .when(record_employment(1, date(2026, 10, 30)))
        .then([employment_recorded(1, date(2026, 10, 30))]);
    assert!(course.enrolments[&enrolment(1)].employment.is_some());
    let mut counted = history.to_vec();
    counted.push(employment_recorded(1, date(2026, 6, 1)));
    given::<Course>(counted)
        .when(record_employment(1, date(2026, 7, 1)))
        .then_nothing();
}

#[test]
fn employment_after_the_window_or_before_completion_does_not_count() {
    let history = [
        opened(welding(2, &[])),
        enrolled(1, Placement::Seat),
        completed(1),
    ];
    given::<Course>(history.clone())
        .when(record_employment(1, date(2026, 10, 31)))
        .then_error(CourseError::OutsideEmploymentWindow);
    given::<Course>(history)
        .when(record_employment(1, date(2026, 4, 29)))
        .then_error(CourseError::OutsideEmploymentWindow);
    given::<Course>([opened(welding(2, &[])), enrolled(1, Placement::Seat)])
        .when(record_employment(1, date(2026, 5, 1)))
        .then_error(CourseError::WrongStatus {
            status: EnrolmentStatus::Seated,
        });
}

#[test]
fn commands_on_a_course_never_opened_or_an_unknown_enrolment_are_refused() {
    given::<Course>([])
        .when(enrol(1, &[]))
        .then_error(CourseError::NotFound);
    given::<Course>([opened(welding(2, &[]))])
        .when(CourseCommand::Cancel(CancelEnrolment {
            enrolment_id: enrolment(5),
            cancelled_at: enrolled_at(),
        }))
        .then_error(CourseError::EnrolmentNotFound);
}
