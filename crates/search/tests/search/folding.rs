//! The index keeps what the domain folds: a vacancy's record is the
//! aggregate state `Vacancy::evolve` gives for the same events, and its
//! status in answers is the domain's status at the search's moment.

use chrono::Duration;
use labex_domain::Aggregate;
use labex_domain::vacancy::{Vacancy, VacancyStatus};
use labex_domain::{Event, VacancyId};
use labex_search::{Record, VacancySearch};
use serde_json::json;
use uuid::Uuid;

use crate::support::{TestIndex, VacancySpec, now, published, vacancy_event};

fn vacancy_events(event: &Event) -> Option<&labex_domain::vacancy::VacancyEvent> {
    match event {
        Event::Vacancy(event) => Some(event),
        _ => None,
    }
}

#[test]
fn a_vacancy_record_is_the_state_the_domain_folds() {
    let mut index = TestIndex::new();
    let vacancy = VacancyId::from_uuid(Uuid::now_v7());
    let referral = Uuid::now_v7();
    let events = vec![
        published(
            vacancy,
            index.employer,
            &VacancySpec::new("电工", "电工", "维修电工，持证上岗"),
        ),
        vacancy_event(
            "VacancyUpdated",
            json!({"vacancy_id": vacancy, "changes": {"title": "高压电工", "headcount": 2}, "open_headcount": 2}),
        ),
        vacancy_event(
            "VacancyPlacementRecorded",
            json!({
                "vacancy_id": vacancy,
                "referral_id": referral,
                "jobseeker_id": Uuid::now_v7(),
                "hired_on": "2026-05-20",
                "open_headcount": 1
            }),
        ),
        vacancy_event(
            "VacancyClosed",
            json!({"vacancy_id": vacancy, "reason": "withdrawn", "note": null}),
        ),
    ];
    for event in &events {
        index.apply(event.clone());
    }
    index.commit();
    let folded = Vacancy::fold(events.iter().filter_map(vacancy_events)).expect("a vacancy");
    let Some(Record::Vacancy(record)) = index.index.record(&vacancy.as_uuid().to_string()).unwrap()
    else {
        panic!("the vacancy is indexed");
    };
    assert_eq!(record.state, folded);
    assert_eq!(record.revision, 3);
    // What only the fold knows, kept too: the referral hired, the reason.
    assert!(record.placements.iter().any(|id| id.as_uuid() == referral));
    assert_eq!(
        record.close_reason.map(|reason| reason.as_str()),
        Some("withdrawn")
    );
}

#[test]
fn past_its_closing_time_a_vacancy_is_closed_in_search_to_the_nanosecond() {
    let mut index = TestIndex::new();
    let closes_at = now() + Duration::days(3);
    index.publish(&VacancySpec::new("焊工", "焊工", "二氧化碳保护焊").closes_in_days(3));
    index.commit();
    let at = |moment| VacancySearch {
        now: Some(moment),
        ..VacancySearch::text("焊工")
    };
    let before = index
        .index
        .search_vacancies(&at(closes_at - Duration::nanoseconds(1)))
        .unwrap();
    assert_eq!(before.total, 1, "open until its closing time");
    assert_eq!(before.hits[0].status, Some(VacancyStatus::Open));
    let at_closing = index.index.search_vacancies(&at(closes_at)).unwrap();
    assert_eq!(at_closing.total, 0, "closed once its closing time has come");
    let all = index
        .index
        .search_vacancies(&VacancySearch {
            include_closed: true,
            ..at(closes_at)
        })
        .unwrap();
    assert_eq!(all.total, 1);
    assert_eq!(
        all.hits[0].status,
        Some(VacancyStatus::Closed),
        "the status the domain gives at that moment, not the one its events left"
    );
    let Some(Record::Vacancy(record)) = &all.hits[0].record else {
        panic!("a vacancy hit carries its record");
    };
    assert_eq!(record.status, VacancyStatus::Open);
    assert_eq!(record.status_at(closes_at), VacancyStatus::Closed);
}
