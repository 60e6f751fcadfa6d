//! Public-welfare placements: started once from a hire, subsidised for the
//! office's months at the post's salary or the office's amount, ended
//! early by the office, over once the period is.

use labex_domain::value::Note;
use labex_domain::welfare::{
    EndWelfarePlacement, StartWelfarePlacement, WelfareCommand, WelfareError, WelfareEvent,
    WelfareExitReason, WelfarePlacement, WelfarePlacementEnded, WelfarePlacementId,
    WelfarePlacementStarted, WelfareRules, WelfareStatus,
};
use labex_domain::{EmployerId, JobSeekerId, Personal, ReferralId, VacancyId};

use crate::fixtures::{date, division};
use crate::support::given;

fn referral() -> ReferralId {
    ReferralId::parse("0190f5a8-0000-7000-8000-0000000000d1").unwrap()
}

fn placement_id() -> WelfarePlacementId {
    WelfarePlacementId::of_hire(referral())
}

fn jobseeker() -> JobSeekerId {
    JobSeekerId::parse("0190f5a8-0000-7000-8000-0000000000b1").unwrap()
}

fn start(rules: WelfareRules) -> WelfareCommand {
    WelfareCommand::Start(StartWelfarePlacement {
        placement_id: placement_id(),
        jobseeker_id: jobseeker(),
        vacancy_id: VacancyId::parse("0190f5a8-0000-7000-8000-0000000000e1").unwrap(),
        employer_id: EmployerId::parse("0190f5a8-0000-7000-8000-0000000000f1").unwrap(),
        referral_id: referral(),
        office: division("410105"),
        started_on: date(2026, 12, 7),
        post_minimum_salary_yuan: 2000,
        rules,
    })
}

fn started(months: u32, fen: u64, ends_on: chrono::NaiveDate) -> WelfareEvent {
    WelfareEvent::Started(WelfarePlacementStarted {
        placement_id: placement_id(),
        jobseeker_id: jobseeker(),
        vacancy_id: VacancyId::parse("0190f5a8-0000-7000-8000-0000000000e1").unwrap(),
        employer_id: EmployerId::parse("0190f5a8-0000-7000-8000-0000000000f1").unwrap(),
        referral_id: referral(),
        office: division("410105"),
        started_on: date(2026, 12, 7),
        subsidy_months: months,
        monthly_subsidy_fen: fen,
        ends_on,
    })
}

#[test]
fn a_hire_into_a_public_welfare_post_is_placed_for_36_months_at_the_posts_salary() {
    let placement = given::<WelfarePlacement>([])
        .when(start(WelfareRules::default()))
        .then([started(36, 200_000, date(2029, 12, 6))]);
    assert_eq!(
        placement.status_on(date(2029, 12, 6)),
        WelfareStatus::Active
    );
    assert_eq!(
        placement.status_on(date(2029, 12, 7)),
        WelfareStatus::PeriodOver
    );
}

#[test]
fn an_office_may_set_its_own_months_and_amount() {
    let rules = WelfareRules {
        subsidy_months: 24,
        monthly_subsidy_fen: Some(180_000),
        ..WelfareRules::default()
    };
    given::<WelfarePlacement>([])
        .when(start(rules))
        .then([started(24, 180_000, date(2028, 12, 6))]);
}

#[test]
fn the_same_hire_seen_again_changes_nothing() {
    given::<WelfarePlacement>([started(36, 200_000, date(2029, 12, 6))])
        .when(start(WelfareRules::default()))
        .then_nothing();
}

#[test]
fn a_placement_ends_when_the_person_moves_to_a_regular_job_once() {
    let ended = WelfareEvent::Ended(WelfarePlacementEnded {
        placement_id: placement_id(),
        jobseeker_id: jobseeker(),
        reason: WelfareExitReason::MovedToRegularJob,
        ended_on: date(2027, 6, 30),
        note: Some(Personal::Known(
            Note::parse("转入物流公司正式岗位").unwrap(),
        )),
    });
    let end = || {
        WelfareCommand::End(EndWelfarePlacement {
            reason: WelfareExitReason::MovedToRegularJob,
            ended_on: date(2027, 6, 30),
            note: Some(Note::parse("转入物流公司正式岗位").unwrap()),
        })
    };
    let placement = given::<WelfarePlacement>([started(36, 200_000, date(2029, 12, 6))])
        .when(end())
        .then([ended.clone()]);
    assert_eq!(
        placement.status_on(date(2027, 7, 1)),
        WelfareStatus::MovedToRegularJob
    );
    given::<WelfarePlacement>([started(36, 200_000, date(2029, 12, 6)), ended])
        .when(end())
        .then_error(WelfareError::AlreadyEnded);
}

#[test]
fn an_exit_outside_the_placement_is_refused() {
    given::<WelfarePlacement>([started(36, 200_000, date(2029, 12, 6))])
        .when(WelfareCommand::End(EndWelfarePlacement {
            reason: WelfareExitReason::Ended,
            ended_on: date(2026, 12, 1),
            note: None,
        }))
        .then_error(WelfareError::OutsidePeriod {
            started_on: date(2026, 12, 7),
            ends_on: date(2029, 12, 6),
        });
}

fn placement(events: impl IntoIterator<Item = WelfareEvent>) -> WelfarePlacement {
    use labex_domain::Aggregate as _;
    events
        .into_iter()
        .fold(None, |state, event| WelfarePlacement::evolve(state, &event))
        .expect("a placement")
}

#[test]
fn a_placement_is_ending_soon_within_the_offices_days_of_its_last_day() {
    let rules = WelfareRules::default();
    assert_eq!(
        rules.ending_window(date(2029, 10, 7)),
        (date(2029, 10, 7), date(2029, 12, 6))
    );
    // Its period ends on 6 December 2029.
    let active = placement([started(36, 200_000, date(2029, 12, 6))]);
    assert!(!active.ending_soon(date(2029, 10, 6), &rules));
    assert!(active.ending_soon(date(2029, 10, 7), &rules));
    assert!(active.ending_soon(date(2029, 12, 6), &rules));
    // Its period over: no longer ending, ended.
    assert!(!active.ending_soon(date(2029, 12, 7), &rules));
    // An office that plans 90 days ahead sees it earlier.
    let ahead = WelfareRules {
        ending_within_days: 90,
        ..WelfareRules::default()
    };
    assert!(active.ending_soon(date(2029, 9, 7), &ahead));
    assert!(!active.ending_soon(date(2029, 9, 6), &ahead));
}

#[test]
fn a_placement_ended_early_is_not_ending_soon() {
    let ended = placement([
        started(36, 200_000, date(2029, 12, 6)),
        WelfareEvent::Ended(WelfarePlacementEnded {
            placement_id: placement_id(),
            jobseeker_id: jobseeker(),
            reason: WelfareExitReason::MovedToRegularJob,
            ended_on: date(2029, 11, 1),
            note: None,
        }),
    ]);
    assert!(!ended.ending_soon(date(2029, 11, 2), &WelfareRules::default()));
}

#[test]
fn a_placements_status_follows_its_exit_and_its_last_day() {
    let last_day = date(2029, 12, 6);
    assert_eq!(
        WelfareStatus::of(None, last_day, date(2029, 12, 6)),
        WelfareStatus::Active
    );
    assert_eq!(
        WelfareStatus::of(None, last_day, date(2029, 12, 7)),
        WelfareStatus::PeriodOver
    );
    assert_eq!(
        WelfareStatus::of(Some(WelfareExitReason::Ended), last_day, date(2027, 1, 1)),
        WelfareStatus::Ended
    );
    assert_eq!(
        WelfareStatus::of(
            Some(WelfareExitReason::MovedToRegularJob),
            last_day,
            date(2030, 1, 1)
        ),
        WelfareStatus::MovedToRegularJob
    );
}
