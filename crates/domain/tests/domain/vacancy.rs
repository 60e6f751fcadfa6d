use labex_domain::ReferralId;
use labex_domain::vacancy::VacancyError;
use labex_domain::vacancy::{
    CloseReason, CloseVacancy, RecordVacancyPlacement, UpdateVacancy, Vacancy, VacancyChanges,
    VacancyClosed, VacancyCommand, VacancyEvent, VacancyFilled, VacancyPlacementRecorded,
    VacancyStatus, VacancyUpdated,
};
use labex_domain::value::{Education, Headcount, OccupationCode, SalaryRange, Title};

use crate::fixtures::*;
use crate::support::given;

fn update(changes: VacancyChanges) -> VacancyCommand {
    VacancyCommand::Update(UpdateVacancy {
        changes,
        updated_at: at("2024-03-05T02:00:00Z"),
    })
}

fn updated(changes: VacancyChanges, open_headcount: Option<u32>) -> VacancyEvent {
    VacancyEvent::Updated(VacancyUpdated {
        vacancy_id: vacancy_id(),
        changes,
        open_headcount,
    })
}

fn close(reason: CloseReason) -> VacancyCommand {
    VacancyCommand::Close(CloseVacancy { reason, note: None })
}

fn closed(reason: CloseReason) -> VacancyEvent {
    VacancyEvent::Closed(VacancyClosed {
        vacancy_id: vacancy_id(),
        reason,
        note: None,
    })
}

fn hire(referral: ReferralId) -> VacancyCommand {
    VacancyCommand::RecordPlacement(RecordVacancyPlacement {
        referral_id: referral,
        jobseeker_id: jobseeker_id(),
        hired_on: date(2024, 3, 11),
    })
}

fn hired(referral: ReferralId, open_headcount: u32) -> VacancyEvent {
    VacancyEvent::PlacementRecorded(VacancyPlacementRecorded {
        vacancy_id: vacancy_id(),
        referral_id: referral,
        jobseeker_id: jobseeker_id(),
        hired_on: date(2024, 3, 11),
        open_headcount,
    })
}

fn filled() -> VacancyEvent {
    VacancyEvent::Filled(VacancyFilled {
        vacancy_id: vacancy_id(),
    })
}

fn headcount(count: i64) -> Headcount {
    Headcount::parse(count).unwrap()
}

#[test]
fn a_vacancy_is_published_open_with_its_whole_headcount() {
    let vacancy = given::<Vacancy>([])
        .when(VacancyCommand::Publish(publish(developer_post(2))))
        .then([published(developer_post(2))]);
    assert_eq!(vacancy.status, VacancyStatus::Open);
    assert_eq!(vacancy.open_headcount, 2);
    assert_eq!(vacancy.employer_id, employer_id());
    assert_eq!(vacancy.published_at, publication_time());
}

#[test]
fn a_vacancy_without_a_closing_time_is_published() {
    let mut details = developer_post(1);
    details.closes_at = None;
    given::<Vacancy>([])
        .when(VacancyCommand::Publish(publish(details.clone())))
        .then([published(details)]);
}

#[test]
fn a_closing_time_not_after_publication_is_refused() {
    let mut details = developer_post(2);
    details.closes_at = Some(publication_time());
    given::<Vacancy>([])
        .when(VacancyCommand::Publish(publish(details)))
        .then_error(VacancyError::ClosingTimeNotInFuture {
            closes_at: publication_time(),
        });
}

#[test]
fn publishing_an_existing_vacancy_is_refused() {
    given::<Vacancy>([published(developer_post(2))])
        .when(VacancyCommand::Publish(publish(developer_post(2))))
        .then_error(VacancyError::AlreadyExists);
}

#[test]
fn commands_on_an_unpublished_vacancy_are_refused() {
    let not_found = VacancyError::NotFound;
    given::<Vacancy>([])
        .when(close(CloseReason::Withdrawn))
        .then_error(not_found.clone());
    given::<Vacancy>([])
        .when(update(VacancyChanges::default()))
        .then_error(not_found.clone());
    given::<Vacancy>([])
        .when(hire(referral_id()))
        .then_error(not_found);
}

#[test]
fn updating_a_vacancy_records_only_what_changed() {
    let vacancy = given::<Vacancy>([published(developer_post(2))])
        .when(update(VacancyChanges {
            title: Some(Title::parse("Rust 开发工程师").unwrap()),
            salary: Some(SalaryRange::parse(9000, 13000).unwrap()),
            education: Some(Education::Bachelor),
            ..VacancyChanges::default()
        }))
        .then([updated(
            VacancyChanges {
                salary: Some(SalaryRange::parse(9000, 13000).unwrap()),
                education: Some(Education::Bachelor),
                ..VacancyChanges::default()
            },
            None,
        )]);
    assert_eq!(vacancy.details.salary.min_yuan(), 9000);
    assert_eq!(vacancy.details.education, Education::Bachelor);
    assert_eq!(vacancy.open_headcount, 2);
}

#[test]
fn an_occupation_code_is_set_changed_only_when_different_and_dropped() {
    let electrician = OccupationCode::parse("6-31-01-03").unwrap();
    let vacancy = given::<Vacancy>([published(developer_post(2))])
        .when(update(VacancyChanges {
            occupation_code: Some(Some(electrician.clone())),
            ..VacancyChanges::default()
        }))
        .then([updated(
            VacancyChanges {
                occupation_code: Some(Some(electrician.clone())),
                ..VacancyChanges::default()
            },
            None,
        )]);
    assert_eq!(vacancy.details.occupation_code, Some(electrician.clone()));

    let coded = VacancyChanges {
        occupation_code: Some(Some(electrician.clone())),
        ..VacancyChanges::default()
    };
    given::<Vacancy>([published(developer_post(2)), updated(coded.clone(), None)])
        .when(update(coded.clone()))
        .then_nothing();
    let vacancy = given::<Vacancy>([published(developer_post(2)), updated(coded, None)])
        .when(update(VacancyChanges {
            occupation_code: Some(None),
            ..VacancyChanges::default()
        }))
        .then([updated(
            VacancyChanges {
                occupation_code: Some(None),
                ..VacancyChanges::default()
            },
            None,
        )]);
    assert_eq!(vacancy.details.occupation_code, None);
}

#[test]
fn an_update_that_changes_nothing_records_nothing() {
    given::<Vacancy>([published(developer_post(2))])
        .when(update(VacancyChanges {
            headcount: Some(headcount(2)),
            public_welfare: Some(false),
            ..VacancyChanges::default()
        }))
        .then_nothing();
}

#[test]
fn removing_the_closing_time_keeps_the_vacancy_open_until_closed() {
    let vacancy = given::<Vacancy>([published(developer_post(2))])
        .when(update(VacancyChanges {
            closes_at: Some(None),
            ..VacancyChanges::default()
        }))
        .then([updated(
            VacancyChanges {
                closes_at: Some(None),
                ..VacancyChanges::default()
            },
            None,
        )]);
    assert_eq!(vacancy.details.closes_at, None);
}

#[test]
fn an_update_with_a_past_closing_time_is_refused() {
    given::<Vacancy>([published(developer_post(2))])
        .when(update(VacancyChanges {
            closes_at: Some(Some(at("2024-03-04T00:00:00Z"))),
            ..VacancyChanges::default()
        }))
        .then_error(VacancyError::ClosingTimeNotInFuture {
            closes_at: at("2024-03-04T00:00:00Z"),
        });
}

#[test]
fn raising_the_headcount_raises_the_open_headcount() {
    let vacancy = given::<Vacancy>([published(developer_post(2)), hired(referral_id(), 1)])
        .when(update(VacancyChanges {
            headcount: Some(headcount(5)),
            ..VacancyChanges::default()
        }))
        .then([updated(
            VacancyChanges {
                headcount: Some(headcount(5)),
                ..VacancyChanges::default()
            },
            Some(4),
        )]);
    assert_eq!(vacancy.open_headcount, 4);
    assert_eq!(vacancy.details.headcount, headcount(5));
}

#[test]
fn lowering_the_headcount_to_the_hires_fills_the_vacancy() {
    let vacancy = given::<Vacancy>([published(developer_post(3)), hired(referral_id(), 2)])
        .when(update(VacancyChanges {
            headcount: Some(headcount(1)),
            ..VacancyChanges::default()
        }))
        .then([
            updated(
                VacancyChanges {
                    headcount: Some(headcount(1)),
                    ..VacancyChanges::default()
                },
                Some(0),
            ),
            filled(),
        ]);
    assert_eq!(vacancy.status, VacancyStatus::Filled);
}

#[test]
fn lowering_the_headcount_below_the_hires_is_refused() {
    given::<Vacancy>([
        published(developer_post(3)),
        hired(referral_id(), 2),
        hired(other_referral_id(), 1),
    ])
    .when(update(VacancyChanges {
        headcount: Some(headcount(1)),
        ..VacancyChanges::default()
    }))
    .then_error(VacancyError::HeadcountBelowPlacements { placed: 2 });
}

#[test]
fn updating_a_closed_vacancy_is_refused() {
    given::<Vacancy>([published(developer_post(2)), closed(CloseReason::Withdrawn)])
        .when(update(VacancyChanges {
            education: Some(Education::Master),
            ..VacancyChanges::default()
        }))
        .then_error(VacancyError::NotOpen {
            status: VacancyStatus::Closed,
        });
}

#[test]
fn closing_an_open_vacancy_records_why() {
    let vacancy = given::<Vacancy>([published(developer_post(2))])
        .when(close(CloseReason::Withdrawn))
        .then([closed(CloseReason::Withdrawn)]);
    assert_eq!(vacancy.status, VacancyStatus::Closed);
    assert_eq!(vacancy.close_reason, Some(CloseReason::Withdrawn));
}

#[test]
fn closing_a_closed_vacancy_again_records_nothing() {
    given::<Vacancy>([published(developer_post(2)), closed(CloseReason::Expired)])
        .when(close(CloseReason::Withdrawn))
        .then_nothing();
}

#[test]
fn closing_a_filled_vacancy_is_refused() {
    given::<Vacancy>([
        published(developer_post(1)),
        hired(referral_id(), 0),
        filled(),
    ])
    .when(close(CloseReason::Withdrawn))
    .then_error(VacancyError::NotOpen {
        status: VacancyStatus::Filled,
    });
}

#[test]
fn a_hire_lowers_the_open_headcount() {
    let vacancy = given::<Vacancy>([published(developer_post(2))])
        .when(hire(referral_id()))
        .then([hired(referral_id(), 1)]);
    assert_eq!(vacancy.open_headcount, 1);
    assert_eq!(vacancy.status, VacancyStatus::Open);
}

#[test]
fn the_last_hire_fills_the_vacancy() {
    let vacancy = given::<Vacancy>([published(developer_post(2)), hired(referral_id(), 1)])
        .when(hire(other_referral_id()))
        .then([hired(other_referral_id(), 0), filled()]);
    assert_eq!(vacancy.open_headcount, 0);
    assert_eq!(vacancy.status, VacancyStatus::Filled);
}

#[test]
fn a_redelivered_hire_records_nothing() {
    given::<Vacancy>([published(developer_post(2)), hired(referral_id(), 1)])
        .when(hire(referral_id()))
        .then_nothing();
}

#[test]
fn a_hire_after_the_vacancy_closed_is_counted_without_filling_it() {
    let vacancy = given::<Vacancy>([published(developer_post(1)), closed(CloseReason::Expired)])
        .when(hire(referral_id()))
        .then([hired(referral_id(), 0)]);
    assert_eq!(vacancy.status, VacancyStatus::Closed);
}

#[test]
fn a_hire_beyond_the_headcount_is_counted_and_the_open_headcount_stays_at_zero() {
    given::<Vacancy>([
        published(developer_post(1)),
        hired(referral_id(), 0),
        filled(),
    ])
    .when(hire(other_referral_id()))
    .then([hired(other_referral_id(), 0)]);
}

/// A moment after the tests' vacancy's closing time (2024-06-30T16:00Z).
fn after_closing() -> chrono::DateTime<chrono::Utc> {
    at("2024-07-01T00:00:00Z")
}

#[test]
fn an_open_vacancy_is_closed_as_expired_once_its_closing_time_has_come() {
    let vacancy = given::<Vacancy>([published(developer_post(2))])
        .when(update(VacancyChanges {
            title: Some(Title::parse("Rust 工程师").unwrap()),
            ..VacancyChanges::default()
        }))
        .then([updated(
            VacancyChanges {
                title: Some(Title::parse("Rust 工程师").unwrap()),
                ..VacancyChanges::default()
            },
            None,
        )]);
    assert_eq!(vacancy.status, VacancyStatus::Open, "as its events left it");
    assert_eq!(
        vacancy.status_at(at("2024-06-30T15:59:59.999Z")),
        VacancyStatus::Open
    );
    assert_eq!(vacancy.close_reason_at(at("2024-06-30T15:59:59Z")), None);
    let closing_time = at("2024-06-30T16:00:00Z");
    assert_eq!(vacancy.status_at(closing_time), VacancyStatus::Closed);
    assert_eq!(
        vacancy.close_reason_at(closing_time),
        Some(CloseReason::Expired)
    );
}

#[test]
fn a_filled_or_withdrawn_vacancy_keeps_its_status_and_reason_past_its_closing_time() {
    let filled_vacancy = given::<Vacancy>([published(developer_post(1))])
        .when(hire(referral_id()))
        .then([hired(referral_id(), 0), filled()]);
    assert_eq!(
        filled_vacancy.status_at(after_closing()),
        VacancyStatus::Filled
    );
    assert_eq!(filled_vacancy.close_reason_at(after_closing()), None);
    let withdrawn = given::<Vacancy>([published(developer_post(2))])
        .when(close(CloseReason::Withdrawn))
        .then([closed(CloseReason::Withdrawn)]);
    assert_eq!(
        withdrawn.close_reason_at(after_closing()),
        Some(CloseReason::Withdrawn)
    );
}

#[test]
fn a_vacancy_without_a_closing_time_stays_open() {
    let mut post = developer_post(2);
    post.closes_at = None;
    let vacancy = given::<Vacancy>([])
        .when(VacancyCommand::Publish(publish(post.clone())))
        .then([published(post)]);
    assert_eq!(
        vacancy.status_at(at("2099-01-01T00:00:00Z")),
        VacancyStatus::Open
    );
}

#[test]
fn editing_a_vacancy_past_its_closing_time_is_refused() {
    given::<Vacancy>([published(developer_post(2))])
        .when(VacancyCommand::Update(UpdateVacancy {
            changes: VacancyChanges {
                education: Some(Education::Master),
                ..VacancyChanges::default()
            },
            updated_at: after_closing(),
        }))
        .then_error(VacancyError::PastClosingTime {
            closes_at: at("2024-06-30T16:00:00Z"),
        });
}

#[test]
fn a_new_closing_time_reopens_a_vacancy_past_its_closing_time() {
    let changes = VacancyChanges {
        education: Some(Education::Master),
        closes_at: Some(Some(at("2024-09-30T16:00:00Z"))),
        ..VacancyChanges::default()
    };
    let vacancy = given::<Vacancy>([published(developer_post(2))])
        .when(VacancyCommand::Update(UpdateVacancy {
            changes: changes.clone(),
            updated_at: after_closing(),
        }))
        .then([updated(changes, None)]);
    assert_eq!(vacancy.status_at(after_closing()), VacancyStatus::Open);
}

#[test]
fn statuses_parse_from_their_names_only() {
    for status in VacancyStatus::ALL {
        assert_eq!(VacancyStatus::parse(status.as_str()), Ok(status));
    }
    assert!(VacancyStatus::parse("paused").is_err());
    assert!(VacancyStatus::parse("Open").is_err());
}

#[test]
fn close_reasons_are_named_as_in_json() {
    for reason in CloseReason::ALL {
        let json = serde_json::to_value(reason).unwrap();
        assert_eq!(json, reason.as_str());
        assert_eq!(CloseReason::parse(reason.as_str()), Some(reason));
    }
    assert_eq!(CloseReason::parse("bored"), None);
}
