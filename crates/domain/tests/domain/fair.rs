//! Job fairs given / when / then: scheduling and amending, exhibitors and
//! their vacancies, registration with a capacity and a waiting list,
//! check-in at the door and visits to stands.

use chrono::{DateTime, Duration, Utc};
use labex_domain::fair::{
    AmendFair, CancelFair, CancelRegistration, Capacity, CheckIn, Exhibit, Fair, FairCommand,
    FairDetails, FairError, FairEvent, FairExhibitorJoined, FairExhibitorLeft,
    FairExhibitorVacanciesAdded, FairKind, FairPlaceOffered, FairScheduled, FairStandVisited,
    FairStatus, FairVisitorCheckedIn, FairVisitorRegistered, FairVisitorRegistrationCancelled,
    LeaveFair, Place, RegisterVisitor, ScheduleFair, VacancyForFair, VisitStand, WebLink,
};
use labex_domain::value::{JobSeekerCategory, Label, Title};
use labex_domain::{EmployerId, FairId, JobSeekerId, VacancyId};

use crate::fixtures::*;
use crate::support::given;

fn fair_id() -> FairId {
    FairId::parse("0190f5a8-0000-7000-8000-000000000009").expect("a fair id")
}

fn seeker(n: u8) -> JobSeekerId {
    JobSeekerId::parse(&format!("0190f5a8-0000-7000-8000-0000000001{n:02}")).expect("an id")
}

fn other_employer() -> EmployerId {
    EmployerId::parse("0190f5a8-0000-7000-8000-000000000012").expect("an id")
}

/// The fair opens at 09:00 and closes at 16:00 Beijing time on 15 March.
fn starts() -> DateTime<Utc> {
    at("2024-03-15T01:00:00Z")
}

fn ends() -> DateTime<Utc> {
    at("2024-03-15T08:00:00Z")
}

fn before() -> DateTime<Utc> {
    at("2024-03-01T02:00:00Z")
}

fn during() -> DateTime<Utc> {
    starts() + Duration::hours(2)
}

fn graduates_fair(capacity: u32) -> FairDetails {
    FairDetails {
        title: Title::parse("2024届高校毕业生春季专场招聘会").expect("a title"),
        kind: FairKind::Onsite,
        audience: categories(&[JobSeekerCategory::Graduate]),
        region: division("410100"),
        venue: Some(Title::parse("郑州市人力资源市场三楼大厅").expect("a venue")),
        link: None,
        starts_at: starts(),
        ends_at: ends(),
        capacity: Capacity::parse(i64::from(capacity)).expect("a capacity"),
        campaign: Some(Label::parse("高校毕业生就业服务月").expect("a campaign")),
    }
}

fn online(details: FairDetails) -> FairDetails {
    FairDetails {
        kind: FairKind::Online,
        venue: None,
        link: Some(WebLink::parse("https://job.example.cn/fairs/spring").expect("a link")),
        ..details
    }
}

fn schedule(details: FairDetails) -> FairCommand {
    FairCommand::Schedule(ScheduleFair {
        fair_id: fair_id(),
        office: division("410100"),
        details,
        now: before(),
    })
}

fn scheduled(details: FairDetails) -> FairEvent {
    FairEvent::Scheduled(FairScheduled {
        fair_id: fair_id(),
        office: division("410100"),
        details,
        scheduled_at: before(),
    })
}

fn open_vacancy(vacancy_id: VacancyId) -> VacancyForFair {
    VacancyForFair {
        vacancy_id,
        employer_id: employer_id(),
        open: true,
    }
}

fn exhibit(vacancies: Vec<VacancyForFair>) -> FairCommand {
    FairCommand::Exhibit(Exhibit {
        employer_id: employer_id(),
        vacancies,
        now: before(),
    })
}

fn joined(vacancies: &[VacancyId]) -> FairEvent {
    FairEvent::ExhibitorJoined(FairExhibitorJoined {
        fair_id: fair_id(),
        employer_id: employer_id(),
        vacancy_ids: vacancies.iter().copied().collect(),
    })
}

fn register(who: JobSeekerId) -> FairCommand {
    FairCommand::Register(RegisterVisitor {
        jobseeker_id: who,
        now: before(),
    })
}

fn registered(who: JobSeekerId, place: Place) -> FairEvent {
    FairEvent::VisitorRegistered(FairVisitorRegistered {
        fair_id: fair_id(),
        jobseeker_id: who,
        place,
        registered_at: before(),
    })
}

fn cancelled_registration(who: JobSeekerId) -> FairEvent {
    FairEvent::RegistrationCancelled(FairVisitorRegistrationCancelled {
        fair_id: fair_id(),
        jobseeker_id: who,
    })
}

fn offered(who: JobSeekerId) -> FairEvent {
    FairEvent::PlaceOffered(FairPlaceOffered {
        fair_id: fair_id(),
        jobseeker_id: who,
    })
}

fn check_in(who: JobSeekerId, now: DateTime<Utc>) -> FairCommand {
    FairCommand::CheckIn(CheckIn {
        jobseeker_id: who,
        opens_before_start: Duration::minutes(60),
        now,
    })
}

fn checked_in(who: JobSeekerId, now: DateTime<Utc>) -> FairEvent {
    FairEvent::VisitorCheckedIn(FairVisitorCheckedIn {
        fair_id: fair_id(),
        jobseeker_id: who,
        checked_in_at: now,
    })
}

#[test]
fn an_organiser_schedules_an_onsite_fair_for_graduates() {
    let fair = given::<Fair>([])
        .when(schedule(graduates_fair(300)))
        .then([scheduled(graduates_fair(300))]);
    assert_eq!(fair.status_at(before()), FairStatus::Scheduled);
    assert_eq!(fair.status_at(during()), FairStatus::UnderWay);
    assert_eq!(fair.status_at(ends()), FairStatus::Ended);
}

#[test]
fn a_fair_that_ends_before_it_starts_is_refused() {
    let details = FairDetails {
        ends_at: starts() - Duration::hours(1),
        ..graduates_fair(300)
    };
    given::<Fair>([])
        .when(schedule(details))
        .then_error(FairError::EndsBeforeStart);
}

#[test]
fn a_fair_in_the_past_is_refused() {
    let details = FairDetails {
        starts_at: before() - Duration::days(2),
        ..graduates_fair(300)
    };
    given::<Fair>([])
        .when(schedule(details))
        .then_error(FairError::StartsInPast);
}

#[test]
fn an_onsite_fair_needs_a_venue_and_an_online_one_a_link() {
    let no_venue = FairDetails {
        venue: None,
        ..graduates_fair(300)
    };
    given::<Fair>([])
        .when(schedule(no_venue))
        .then_error(FairError::VenueRequired);
    let no_link = FairDetails {
        link: None,
        ..online(graduates_fair(300))
    };
    given::<Fair>([])
        .when(schedule(no_link))
        .then_error(FairError::LinkRequired);
}

#[test]
fn a_second_scheduling_under_one_id_is_refused() {
    given::<Fair>([scheduled(graduates_fair(300))])
        .when(schedule(graduates_fair(300)))
        .then_error(FairError::AlreadyExists);
}

#[test]
fn a_command_on_a_fair_never_scheduled_is_refused() {
    given::<Fair>([])
        .when(register(seeker(1)))
        .then_error(FairError::NotFound);
}

#[test]
fn an_amendment_that_raises_the_capacity_gives_places_to_the_waiting_list() {
    let amended = graduates_fair(2);
    given::<Fair>([
        scheduled(graduates_fair(1)),
        registered(seeker(1), Place::Confirmed),
        registered(seeker(2), Place::Waiting),
        registered(seeker(3), Place::Waiting),
    ])
    .when(FairCommand::Amend(AmendFair {
        details: amended.clone(),
        now: before(),
    }))
    .then([
        FairEvent::Amended(labex_domain::fair::FairAmended {
            fair_id: fair_id(),
            details: amended,
        }),
        offered(seeker(2)),
    ]);
}

#[test]
fn a_capacity_below_the_places_given_is_refused() {
    given::<Fair>([
        scheduled(graduates_fair(3)),
        registered(seeker(1), Place::Confirmed),
        registered(seeker(2), Place::Confirmed),
    ])
    .when(FairCommand::Amend(AmendFair {
        details: graduates_fair(1),
        now: before(),
    }))
    .then_error(FairError::CapacityBelowPlacesTaken { taken: 2 });
}

#[test]
fn a_fair_under_way_cannot_be_amended() {
    given::<Fair>([scheduled(graduates_fair(3))])
        .when(FairCommand::Amend(AmendFair {
            details: graduates_fair(4),
            now: during(),
        }))
        .then_error(FairError::AlreadyStarted {
            starts_at: starts(),
        });
}

#[test]
fn a_cancelled_fair_takes_no_registrations_and_a_second_cancellation_changes_nothing() {
    let cancelled = FairEvent::Cancelled(labex_domain::fair::FairCancelled {
        fair_id: fair_id(),
        reason: None,
        cancelled_at: before(),
    });
    let fair = given::<Fair>([scheduled(graduates_fair(3))])
        .when(FairCommand::Cancel(CancelFair {
            reason: None,
            now: before(),
        }))
        .then([cancelled.clone()]);
    assert_eq!(fair.status_at(during()), FairStatus::Cancelled);
    given::<Fair>([scheduled(graduates_fair(3)), cancelled.clone()])
        .when(register(seeker(1)))
        .then_error(FairError::Cancelled);
    given::<Fair>([scheduled(graduates_fair(3)), cancelled])
        .when(FairCommand::Cancel(CancelFair {
            reason: None,
            now: before(),
        }))
        .then_nothing();
}

#[test]
fn an_employer_exhibits_with_its_open_vacancies() {
    let fair = given::<Fair>([scheduled(graduates_fair(300))])
        .when(exhibit(vec![
            open_vacancy(vacancy_id()),
            open_vacancy(other_vacancy_id()),
        ]))
        .then([joined(&[vacancy_id(), other_vacancy_id()])]);
    assert_eq!(fair.vacancy_ids().len(), 2);
}

#[test]
fn an_exhibitor_bringing_more_adds_only_the_new_vacancies() {
    given::<Fair>([scheduled(graduates_fair(300)), joined(&[vacancy_id()])])
        .when(exhibit(vec![
            open_vacancy(vacancy_id()),
            open_vacancy(other_vacancy_id()),
        ]))
        .then([FairEvent::ExhibitorVacanciesAdded(
            FairExhibitorVacanciesAdded {
                fair_id: fair_id(),
                employer_id: employer_id(),
                vacancy_ids: [other_vacancy_id()].into_iter().collect(),
            },
        )]);
    given::<Fair>([scheduled(graduates_fair(300)), joined(&[vacancy_id()])])
        .when(exhibit(vec![open_vacancy(vacancy_id())]))
        .then_nothing();
}

#[test]
fn an_exhibitor_cannot_bring_another_employers_or_a_closed_vacancy() {
    let theirs = VacancyForFair {
        employer_id: other_employer(),
        ..open_vacancy(other_vacancy_id())
    };
    given::<Fair>([scheduled(graduates_fair(300))])
        .when(exhibit(vec![open_vacancy(vacancy_id()), theirs]))
        .then_error(FairError::VacancyOfAnotherEmployer {
            vacancy_id: other_vacancy_id(),
        });
    let closed = VacancyForFair {
        open: false,
        ..open_vacancy(vacancy_id())
    };
    given::<Fair>([scheduled(graduates_fair(300))])
        .when(exhibit(vec![closed]))
        .then_error(FairError::VacancyNotOpen {
            vacancy_id: vacancy_id(),
        });
    given::<Fair>([scheduled(graduates_fair(300))])
        .when(exhibit(vec![]))
        .then_error(FairError::NoVacancies);
}

#[test]
fn an_exhibitor_leaves_before_the_start_but_not_after() {
    let fair = given::<Fair>([scheduled(graduates_fair(300)), joined(&[vacancy_id()])])
        .when(FairCommand::Leave(LeaveFair {
            employer_id: employer_id(),
            now: before(),
        }))
        .then([FairEvent::ExhibitorLeft(FairExhibitorLeft {
            fair_id: fair_id(),
            employer_id: employer_id(),
        })]);
    assert!(fair.vacancy_ids().is_empty());
    given::<Fair>([scheduled(graduates_fair(300)), joined(&[vacancy_id()])])
        .when(FairCommand::Leave(LeaveFair {
            employer_id: employer_id(),
            now: during(),
        }))
        .then_error(FairError::AlreadyStarted {
            starts_at: starts(),
        });
    given::<Fair>([scheduled(graduates_fair(300))])
        .when(FairCommand::Leave(LeaveFair {
            employer_id: other_employer(),
            now: before(),
        }))
        .then_error(FairError::NotAnExhibitor);
}

#[test]
fn registrations_past_the_capacity_wait_and_a_repeat_changes_nothing() {
    given::<Fair>([scheduled(graduates_fair(1))])
        .when(register(seeker(1)))
        .then([registered(seeker(1), Place::Confirmed)]);
    let fair = given::<Fair>([
        scheduled(graduates_fair(1)),
        registered(seeker(1), Place::Confirmed),
    ])
    .when(register(seeker(2)))
    .then([registered(seeker(2), Place::Waiting)]);
    assert_eq!(fair.waiting_list(), [seeker(2)]);
    given::<Fair>([
        scheduled(graduates_fair(1)),
        registered(seeker(1), Place::Confirmed),
    ])
    .when(register(seeker(1)))
    .then_nothing();
}

#[test]
fn a_cancellation_gives_the_freed_place_to_the_first_on_the_waiting_list() {
    let fair = given::<Fair>([
        scheduled(graduates_fair(1)),
        registered(seeker(1), Place::Confirmed),
        registered(seeker(2), Place::Waiting),
        registered(seeker(3), Place::Waiting),
    ])
    .when(FairCommand::CancelRegistration(CancelRegistration {
        jobseeker_id: seeker(1),
        now: before(),
    }))
    .then([cancelled_registration(seeker(1)), offered(seeker(2))]);
    assert_eq!(fair.places_taken(), 1);
    assert_eq!(fair.waiting_list(), [seeker(3)]);
}

#[test]
fn a_waiting_job_seeker_who_withdraws_frees_no_place() {
    given::<Fair>([
        scheduled(graduates_fair(1)),
        registered(seeker(1), Place::Confirmed),
        registered(seeker(2), Place::Waiting),
        registered(seeker(3), Place::Waiting),
    ])
    .when(FairCommand::CancelRegistration(CancelRegistration {
        jobseeker_id: seeker(2),
        now: before(),
    }))
    .then([cancelled_registration(seeker(2))]);
}

#[test]
fn a_visitor_with_a_place_checks_in_from_an_hour_before_the_start() {
    let door_opens = starts() - Duration::minutes(60);
    let history = [
        scheduled(graduates_fair(5)),
        registered(seeker(1), Place::Confirmed),
    ];
    given::<Fair>(history.clone())
        .when(check_in(seeker(1), door_opens))
        .then([checked_in(seeker(1), door_opens)]);
    given::<Fair>(history.clone())
        .when(check_in(seeker(1), door_opens - Duration::minutes(1)))
        .then_error(FairError::CheckInClosed {
            opens_at: door_opens,
            ends_at: ends(),
        });
    given::<Fair>(history)
        .when(check_in(seeker(1), ends()))
        .then_error(FairError::Ended { ends_at: ends() });
}

#[test]
fn check_in_needs_a_place_at_an_onsite_fair() {
    given::<Fair>([
        scheduled(graduates_fair(1)),
        registered(seeker(1), Place::Confirmed),
        registered(seeker(2), Place::Waiting),
    ])
    .when(check_in(seeker(2), during()))
    .then_error(FairError::NoPlace);
    given::<Fair>([scheduled(graduates_fair(1))])
        .when(check_in(seeker(1), during()))
        .then_error(FairError::NotRegistered);
    given::<Fair>([
        scheduled(online(graduates_fair(1))),
        registered(seeker(1), Place::Confirmed),
    ])
    .when(check_in(seeker(1), during()))
    .then_error(FairError::OnlineFairHasNoCheckIn);
}

#[test]
fn a_checked_in_visitor_visits_a_stand_once() {
    let history = [
        scheduled(graduates_fair(5)),
        joined(&[vacancy_id()]),
        registered(seeker(1), Place::Confirmed),
        checked_in(seeker(1), during()),
    ];
    let visit = || {
        FairCommand::VisitStand(VisitStand {
            jobseeker_id: seeker(1),
            employer_id: employer_id(),
            now: during(),
        })
    };
    let visited = FairEvent::StandVisited(FairStandVisited {
        fair_id: fair_id(),
        jobseeker_id: seeker(1),
        employer_id: employer_id(),
        visited_at: during(),
    });
    given::<Fair>(history.clone())
        .when(visit())
        .then([visited.clone()]);
    let mut again = history.to_vec();
    again.push(visited);
    given::<Fair>(again).when(visit()).then_nothing();
    given::<Fair>(history[..3].to_vec())
        .when(visit())
        .then_error(FairError::NotCheckedIn);
}

#[test]
fn a_checked_in_visitor_cannot_withdraw() {
    given::<Fair>([
        scheduled(graduates_fair(5)),
        registered(seeker(1), Place::Confirmed),
        checked_in(seeker(1), during()),
    ])
    .when(FairCommand::CancelRegistration(CancelRegistration {
        jobseeker_id: seeker(1),
        now: during(),
    }))
    .then_error(FairError::AlreadyCheckedIn);
}
