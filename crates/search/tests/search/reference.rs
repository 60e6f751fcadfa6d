//! Search in the offices' words: graded queries for place names,
//! occupation codes, pinyin type-ahead and one-character queries.

use labex_domain::vacancy::{VacancyEvent, VacancyPublished};
use labex_domain::{EmployerId, Event, VacancyId};
use labex_search::VacancySearch;
use serde_json::json;
use uuid::Uuid;

use crate::shared_fixture;
use crate::support::{TestIndex, now};

/// The keys of the hits of `search` over the shared fixture, in order.
fn ranked(search: VacancySearch) -> Vec<&'static str> {
    let fixture = shared_fixture();
    let search = VacancySearch {
        limit: 50,
        now: Some(now()),
        ..search
    };
    let results = fixture.index.index.search_vacancies(&search).unwrap();
    results
        .hits
        .iter()
        .map(|hit| fixture.key(&hit.id))
        .collect()
}

#[test]
fn a_place_name_in_the_query_is_a_region_filter() {
    // Zhengzhou: Jinshui (weld_zh) and Zhongyuan (weld_argon); Kaifeng
    // (weld_apprentice) is left out.
    let zhengzhou = ranked(VacancySearch::text("郑州 焊工"));
    assert_eq!(zhengzhou.first(), Some(&"weld_zh"), "{zhengzhou:?}");
    assert!(zhengzhou.contains(&"weld_argon"), "{zhengzhou:?}");
    assert!(!zhengzhou.contains(&"weld_apprentice"), "{zhengzhou:?}");
    let kaifeng = ranked(VacancySearch::text("开封市 焊工"));
    assert_eq!(kaifeng, ["weld_apprentice"]);
    let jinshui = ranked(VacancySearch::text("金水区 焊工"));
    assert!(jinshui.contains(&"weld_zh"), "{jinshui:?}");
    assert!(!jinshui.contains(&"weld_argon"), "{jinshui:?}");
    // The answer says which place it searched, with its name.
    let results = shared_fixture()
        .index
        .index
        .search_vacancies(&VacancySearch {
            now: Some(now()),
            ..VacancySearch::text("郑州 焊工")
        })
        .unwrap();
    assert_eq!(results.places.len(), 1);
    assert_eq!(results.places[0].code, "410100");
    assert_eq!(results.places[0].name, "郑州市");
    // Facets name their regions.
    let region = &results.facets.region;
    assert!(
        region
            .iter()
            .any(|count| count.value == "410105" && count.name.as_deref() == Some("金水区")),
        "{region:?}"
    );
}

#[test]
fn a_one_character_query_finds_the_vacancies_holding_it() {
    let weld = ranked(VacancySearch::text("焊"));
    for key in ["weld_zh", "weld_argon", "weld_apprentice"] {
        assert!(weld.contains(&key), "焊 should find {key}: {weld:?}");
    }
    assert!(!weld.contains(&"forklift_zh"), "{weld:?}");
    assert!(!weld.contains(&"weld_closed"), "{weld:?}");
}

#[test]
fn word_matches_rank_above_character_matches() {
    // 叉车 is a word in forklift_zh's title; 叉 alone matches it only by
    // its character, and the word query ranks it first.
    let word = ranked(VacancySearch::text("叉车"));
    assert_eq!(word.first(), Some(&"forklift_zh"), "{word:?}");
    let character = ranked(VacancySearch::text("叉"));
    assert!(character.contains(&"forklift_zh"), "{character:?}");

    // 焊 as a word of its own (in a description) ranks above 焊 found
    // only as a character inside the word 电焊工 of a title.
    let mut index = TestIndex::new();
    let as_word = published(
        &mut index,
        "金属加工",
        "金属加工",
        "会焊、会割，能看图纸。",
        None,
    );
    let as_character = published(&mut index, "电焊工", "电焊工", "长期招聘，待遇从优。", None);
    index.commit();
    let results = index
        .index
        .search_vacancies(&VacancySearch {
            now: Some(now()),
            ..VacancySearch::text("焊")
        })
        .unwrap();
    let found: Vec<VacancyId> = results
        .hits
        .iter()
        .map(|hit| VacancyId::parse(&hit.id).unwrap())
        .collect();
    assert_eq!(found, [as_word, as_character]);
}

#[test]
fn type_ahead_matches_full_pinyin_and_initials() {
    let index = &shared_fixture().index.index;
    let texts = |prefix: &str| -> Vec<String> {
        index
            .complete(prefix, 10)
            .unwrap()
            .into_iter()
            .map(|suggestion| suggestion.text)
            .collect()
    };
    assert!(
        texts("chache").contains(&"叉车".to_owned()),
        "{:?}",
        texts("chache")
    );
    assert!(
        texts("cc").contains(&"叉车".to_owned()),
        "{:?}",
        texts("cc")
    );
    assert!(
        texts("cha").contains(&"叉车".to_owned()),
        "{:?}",
        texts("cha")
    );
    assert!(
        texts("dhg").contains(&"电焊工".to_owned()),
        "{:?}",
        texts("dhg")
    );
    // Chinese prefixes work as before.
    assert!(texts("叉").contains(&"叉车".to_owned()));
}

fn coded(index: &mut TestIndex, title: &str, occupation: &str, code: Option<&str>) -> VacancyId {
    published(index, title, occupation, "长期招聘，待遇从优。", code)
}

fn published(
    index: &mut TestIndex,
    title: &str,
    occupation: &str,
    description: &str,
    code: Option<&str>,
) -> VacancyId {
    let id = VacancyId::from_uuid(Uuid::now_v7());
    let value = json!({
        "vacancy_id": id,
        "employer_id": EmployerId::from_uuid(Uuid::now_v7()),
        "details": {
            "title": title,
            "description": description,
            "occupation": occupation,
            "occupation_code": code,
            "region": "410105",
            "salary": {"min_yuan": 4000, "max_yuan": 6000},
            "headcount": 1,
            "education": "none",
            "experience_years": 0,
            "welcomes": [],
            "public_welfare": false,
            "closes_at": null,
        },
        "published_at": now() - chrono::Duration::days(1),
    });
    let published: VacancyPublished = serde_json::from_value(value).expect("a valid vacancy");
    index.apply(Event::Vacancy(VacancyEvent::Published(published)));
    id
}

#[test]
fn occupation_codes_filter_by_prefix_and_their_titles_are_synonyms() {
    let mut index = TestIndex::new();
    let electrician = coded(&mut index, "设备维护", "维修师傅", Some("6-31-01-03"));
    let fitter = coded(&mut index, "机修钳工", "钳工", Some("6-31-01-02"));
    let cook = coded(&mut index, "中餐厨师", "厨师", Some("4-03-02-01"));
    let uncoded = coded(&mut index, "电工学徒", "电工", None);
    index.commit();
    let ids = |search: VacancySearch| -> Vec<VacancyId> {
        let results = index
            .index
            .search_vacancies(&VacancySearch {
                now: Some(now()),
                ..search
            })
            .unwrap();
        let mut found: Vec<VacancyId> = results
            .hits
            .iter()
            .map(|hit| VacancyId::parse(&hit.id).unwrap())
            .collect();
        found.sort();
        found
    };
    let by_code = |prefix: &str| VacancySearch {
        occupation_code: Some(prefix.to_owned()),
        ..VacancySearch::default()
    };
    let mut medium = vec![electrician, fitter];
    medium.sort();
    assert_eq!(
        ids(by_code("6-31")),
        medium,
        "a medium group covers its occupations"
    );
    assert_eq!(ids(by_code("6-31-01-03")), [electrician]);
    assert_eq!(ids(by_code("4")), [cook]);
    // The classification's title finds a vacancy coded with it whose own
    // words never say it, and a hand-made synonym of the title does too.
    let electricians = ids(VacancySearch::text("电工"));
    assert!(electricians.contains(&electrician), "by its code's title");
    assert!(electricians.contains(&uncoded), "by its own words");
    assert!(!electricians.contains(&cook));
    assert!(ids(VacancySearch::text("electrician")).contains(&electrician));
}
