//! Graded relevance: for each query, the vacancies that must come first
//! (grade 2), those that must also be found (grade 1), and those that must
//! not be found at all. Beside the words: place names in the query,
//! occupation codes (职业分类大典 2022) as filters, one-character queries
//! and words the segmenter does not know, and type-ahead by pinyin; and
//! matches for job seekers whose wish names occupation codes, both ways.

use labex_domain::value::OccupationCode;
use labex_search::{MatchOptions, ReasonField, ReasonKind, VacancySearch};

use crate::fixture::Fixture;
use crate::shared_fixture;
use crate::support::{SeekerSpec, now};

/// What one query must give.
struct Expectation {
    query: &'static str,
    /// Found, ahead of every grade-1 and ungraded hit.
    best: &'static [&'static str],
    /// Found, after the best.
    relevant: &'static [&'static str],
    /// Not found.
    absent: &'static [&'static str],
}

const EXPECTATIONS: &[Expectation] = &[
    Expectation {
        query: "焊工",
        best: &["weld_zh"],
        relevant: &["weld_argon", "weld_apprentice", "weld_en"],
        absent: &["weld_closed", "forklift_zh", "electrician"],
    },
    Expectation {
        query: "电焊工",
        best: &["weld_zh"],
        relevant: &["weld_argon", "weld_en", "weld_apprentice"],
        absent: &["weld_closed", "electrician"],
    },
    Expectation {
        query: "welder",
        best: &["weld_en"],
        relevant: &["weld_zh", "weld_argon"],
        absent: &["cook_en"],
    },
    Expectation {
        query: "forklift driver",
        best: &["forklift_en"],
        relevant: &["forklift_zh"],
        absent: &["cook_en", "rust_en"],
    },
    Expectation {
        query: "Forklift Drivers",
        best: &["forklift_en"],
        relevant: &["forklift_zh"],
        absent: &["clean_en"],
    },
    Expectation {
        query: "叉车司机",
        best: &["forklift_zh", "forklift_en"],
        relevant: &[],
        absent: &["cook_zh", "bus_zh"],
    },
    Expectation {
        query: "司机",
        best: &["forklift_zh", "truck_zh", "ride_zh", "forklift_en"],
        relevant: &["bus_zh", "truck_en"],
        absent: &["cook_zh", "clean_office"],
    },
    Expectation {
        query: "驾驶员",
        best: &["bus_zh"],
        relevant: &["truck_zh", "ride_zh", "forklift_zh"],
        absent: &["cashier"],
    },
    Expectation {
        query: "保洁",
        best: &["clean_office", "clean_welfare"],
        relevant: &["clean_en"],
        absent: &["guard", "housekeeper"],
    },
    Expectation {
        query: "厨师",
        best: &["cook_zh"],
        relevant: &["cook_canteen", "cook_en"],
        absent: &["waiter", "clean_office"],
    },
    Expectation {
        query: "cook",
        best: &["cook_en"],
        relevant: &["cook_zh", "cook_canteen"],
        absent: &["clean_en"],
    },
    Expectation {
        query: "rust",
        best: &["rust_zh", "rust_en"],
        relevant: &[],
        absent: &["java_zh", "frontend_zh"],
    },
    Expectation {
        query: "Rust 开发",
        best: &["rust_zh"],
        relevant: &[],
        absent: &["java_zh", "cook_zh"],
    },
    Expectation {
        query: "开发工程师",
        best: &["rust_zh", "java_zh", "frontend_zh"],
        relevant: &[],
        absent: &["electrician", "cook_zh"],
    },
    Expectation {
        query: "开发工程师 -java",
        best: &["rust_zh", "frontend_zh"],
        relevant: &[],
        absent: &["java_zh"],
    },
    Expectation {
        query: "\"forklift driver\"",
        best: &["forklift_en"],
        relevant: &[],
        absent: &["truck_en", "forklift_zh"],
    },
    Expectation {
        query: "\"叉车证\"",
        best: &["forklift_zh"],
        relevant: &[],
        absent: &["warehouse_zh"],
    },
    Expectation {
        query: "仓库 叉车",
        best: &["forklift_zh", "warehouse_zh"],
        relevant: &[],
        absent: &["cashier", "warehouse_en"],
    },
    Expectation {
        query: "叉车 两班倒",
        best: &["forklift_zh"],
        relevant: &[],
        absent: &["warehouse_zh", "forklift_en", "clean_office"],
    },
    Expectation {
        query: "快递员 多劳多得",
        best: &["courier"],
        relevant: &[],
        absent: &["cook_zh"],
    },
    Expectation {
        query: "保姆",
        best: &["housekeeper"],
        relevant: &[],
        absent: &["nanny"],
    },
    // A place name is a region filter; the rest of the query is text.
    Expectation {
        query: "郑州 焊工",
        best: &["weld_zh"],
        relevant: &["weld_argon", "weld_en"],
        absent: &["weld_apprentice", "weld_closed", "forklift_zh"],
    },
    Expectation {
        query: "开封市 焊工",
        best: &["weld_apprentice"],
        relevant: &[],
        absent: &["weld_zh", "weld_argon", "weld_en"],
    },
    Expectation {
        query: "金水区 焊工",
        best: &["weld_zh"],
        relevant: &["weld_en"],
        absent: &["weld_argon", "weld_apprentice"],
    },
    Expectation {
        query: "中牟县 电工",
        best: &["electrician"],
        relevant: &[],
        absent: &["weld_zh", "forklift_zh"],
    },
    // One character, and words jieba does not know: the n-gram field.
    Expectation {
        query: "焊",
        best: &[],
        relevant: &["weld_zh", "weld_argon", "weld_en", "weld_apprentice"],
        absent: &["weld_closed", "forklift_zh", "electrician"],
    },
    Expectation {
        query: "叉",
        best: &["forklift_zh"],
        relevant: &[],
        absent: &["cook_zh", "weld_zh"],
    },
    Expectation {
        query: "厨",
        best: &["cook_zh"],
        relevant: &[],
        absent: &["waiter", "clean_office"],
    },
    Expectation {
        query: "氩弧",
        best: &["weld_argon"],
        relevant: &[],
        absent: &["weld_zh", "weld_apprentice", "forklift_zh"],
    },
];

/// A graded query with an occupation code (or prefix) as its filter.
struct Coded {
    occupation_code: &'static str,
    expectation: Expectation,
}

const CODED: &[Coded] = &[
    Coded {
        // The medium group 6-18 covers its occupation 焊工 (6-18-02-04).
        occupation_code: "6-18",
        expectation: Expectation {
            query: "",
            best: &[],
            relevant: &["weld_zh", "weld_argon", "weld_en", "weld_apprentice"],
            absent: &["weld_closed", "electrician", "forklift_zh", "cook_zh"],
        },
    },
    Coded {
        occupation_code: "6-31-01-03",
        expectation: Expectation {
            query: "",
            best: &["electrician"],
            relevant: &[],
            absent: &["weld_zh", "forklift_zh"],
        },
    },
    Coded {
        // 道路运输服务人员 (a minor group): the bus and the truck drivers, not
        // the forklift driver.
        occupation_code: "4-02-02-00",
        expectation: Expectation {
            query: "驾驶员",
            best: &["bus_zh"],
            relevant: &["truck_zh"],
            absent: &["forklift_zh", "ride_zh", "cook_zh"],
        },
    },
    Coded {
        occupation_code: "4-02-02-02",
        expectation: Expectation {
            query: "司机",
            best: &["truck_zh"],
            relevant: &[],
            absent: &["bus_zh", "forklift_zh"],
        },
    },
];

/// A graded type-ahead: the words that must come first, those that must
/// also be suggested, and those that must not be.
struct Completion {
    prefix: &'static str,
    best: &'static [&'static str],
    relevant: &'static [&'static str],
    absent: &'static [&'static str],
}

const COMPLETIONS: &[Completion] = &[
    Completion {
        prefix: "diangong",
        best: &["电工"],
        relevant: &[],
        absent: &["电焊工", "厨师"],
    },
    Completion {
        prefix: "dg",
        best: &[],
        relevant: &["电工"],
        absent: &["厨师", "叉车"],
    },
    Completion {
        prefix: "dhg",
        best: &["电焊工"],
        relevant: &[],
        absent: &["电工"],
    },
    Completion {
        prefix: "chache",
        best: &["叉车"],
        relevant: &[],
        absent: &["厨师"],
    },
    Completion {
        prefix: "cc",
        best: &[],
        relevant: &["叉车"],
        absent: &["电工"],
    },
    Completion {
        // 调 reads diào first; 烹调 is read with its other reading, tiáo.
        prefix: "pengtiao",
        best: &[],
        relevant: &["烹调师"],
        absent: &[],
    },
    Completion {
        prefix: "chu",
        best: &[],
        relevant: &["厨师"],
        absent: &["叉车"],
    },
];

/// Checks one ranking against its expectation, adding what is wrong to
/// `failures`.
fn check(
    label: &str,
    ranked: &[&str],
    best: &[&str],
    relevant: &[&str],
    absent: &[&str],
    failures: &mut Vec<String>,
) {
    let rank_of = |key: &str| ranked.iter().position(|found| *found == key);
    for key in best {
        match rank_of(key) {
            Some(rank) if rank < best.len() => {}
            _ => failures.push(format!(
                "{label}: {key} should be among the first {}, got {ranked:?}",
                best.len()
            )),
        }
    }
    for key in relevant {
        if rank_of(key).is_none() {
            failures.push(format!("{label}: {key} should be found, got {ranked:?}"));
        }
    }
    for key in absent {
        if rank_of(key).is_some() {
            failures.push(format!(
                "{label}: {key} should not be found, got {ranked:?}"
            ));
        }
    }
}

/// The keys of the hits of `search` over the shared fixture, in order.
fn ranked(fixture: &Fixture, search: VacancySearch) -> Vec<&'static str> {
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
fn each_query_ranks_its_graded_vacancies() {
    let fixture: &Fixture = shared_fixture();
    let mut failures = Vec::new();
    for expectation in EXPECTATIONS {
        let ranked = ranked(fixture, VacancySearch::text(expectation.query));
        check(
            &format!("{:?}", expectation.query),
            &ranked,
            expectation.best,
            expectation.relevant,
            expectation.absent,
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_coded_query_ranks_its_graded_vacancies() {
    let fixture: &Fixture = shared_fixture();
    let mut failures = Vec::new();
    for coded in CODED {
        let expectation = &coded.expectation;
        let search = VacancySearch {
            occupation_code: Some(
                OccupationCode::parse_prefix(coded.occupation_code).expect("a known code"),
            ),
            ..VacancySearch::text(expectation.query)
        };
        let ranked = ranked(fixture, search);
        check(
            &format!("{:?} in {}", expectation.query, coded.occupation_code),
            &ranked,
            expectation.best,
            expectation.relevant,
            expectation.absent,
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_pinyin_prefix_suggests_its_graded_words() {
    let fixture: &Fixture = shared_fixture();
    let mut failures = Vec::new();
    for completion in COMPLETIONS {
        let suggestions = fixture.index.index.complete(completion.prefix, 10).unwrap();
        let texts: Vec<&str> = suggestions
            .iter()
            .map(|suggestion| suggestion.text.as_str())
            .collect();
        check(
            &format!("type-ahead {:?}", completion.prefix),
            &texts,
            completion.best,
            completion.relevant,
            completion.absent,
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn matched_words_are_highlighted_in_title_and_description() {
    let fixture = shared_fixture();
    let results = fixture
        .index
        .index
        .search_vacancies(&VacancySearch {
            now: Some(now()),
            ..VacancySearch::text("焊工")
        })
        .unwrap();
    let hit = results
        .hits
        .iter()
        .find(|hit| fixture.key(&hit.id) == "weld_zh")
        .expect("the welding vacancy is found");
    let title = hit.highlight.title.as_deref().unwrap();
    assert!(title.contains("<em>"), "{title}");
    let description = hit.highlight.description.as_deref().unwrap();
    assert!(description.contains("<em>焊工</em>"), "{description}");

    let english = fixture
        .index
        .index
        .search_vacancies(&VacancySearch {
            now: Some(now()),
            ..VacancySearch::text("forklift drivers")
        })
        .unwrap();
    let title = english.hits[0].highlight.title.as_deref().unwrap();
    assert_eq!(title, "<em>Forklift</em> <em>driver</em>");
}

#[test]
fn results_serialise_in_the_shape_users_see() {
    let fixture = shared_fixture();
    let results = fixture
        .index
        .index
        .search_vacancies(&VacancySearch {
            limit: 1,
            now: Some(now()),
            ..VacancySearch::text("\"叉车证\"")
        })
        .unwrap();
    let json = serde_json::to_value(&results).unwrap();
    assert_eq!(json["total"], 1);
    let hit = &json["hits"][0];
    assert_eq!(hit["id"], fixture.id("forklift_zh"));
    assert_eq!(hit["title"], "仓库叉车司机");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert_eq!(
        hit["highlight"]["description"],
        "持<em>叉车证</em>，负责仓库货物装卸搬运，两班倒"
    );
    assert_eq!(hit["reasons"], serde_json::json!([]));
    assert!(json["facets"]["region"].is_array());
    assert!(json["facets"]["occupation"].is_array());
    assert!(json["facets"]["education"].is_array());
    assert!(json["facets"]["welcomes"].is_array());
}

/// A graded match list: the vacancies ranked for a job seeker whose wish
/// (求职意向) names occupation codes (职业分类大典 2022), beside or instead of
/// words. A vacancy coded under a wished code comes before one that only
/// shares words.
struct Wished {
    label: &'static str,
    seeker: SeekerSpec,
    best: &'static [&'static str],
    relevant: &'static [&'static str],
    absent: &'static [&'static str],
}

fn wished() -> Vec<Wished> {
    vec![
        Wished {
            label: "an occupation code alone: the occupation, then its minor group",
            seeker: SeekerSpec {
                occupation_codes: &["4-02-02-02"],
                ..SeekerSpec::new("货车司机", &[])
            },
            best: &["truck_zh", "bus_zh"],
            relevant: &[],
            absent: &["cook_zh", "clean_office", "weld_zh", "forklift_zh"],
        },
        Wished {
            label: "a minor group by code above vacancies that only share the word",
            seeker: SeekerSpec {
                occupation_codes: &["4-02-02-00"],
                ..SeekerSpec::new("司机", &["司机"])
            },
            best: &["truck_zh", "bus_zh"],
            relevant: &["forklift_zh", "ride_zh"],
            absent: &["cook_zh", "clean_office"],
        },
        Wished {
            label: "a minor group by code above a vacancy that says all the seeker's words",
            seeker: SeekerSpec {
                occupation_codes: &["4-02-02-00"],
                skills: &["叉车", "仓库货物装卸搬运"],
                summary: Some("持叉车证，做过五年仓库叉车司机，能两班倒"),
                ..SeekerSpec::new("叉车司机", &["叉车司机", "司机"])
            },
            best: &["truck_zh", "bus_zh"],
            relevant: &["forklift_zh", "forklift_en"],
            absent: &["cook_zh"],
        },
        Wished {
            label: "a medium group covers its minor groups' occupations",
            seeker: SeekerSpec {
                occupation_codes: &["6-18-00-00"],
                ..SeekerSpec::new("机械加工", &[])
            },
            best: &["weld_zh", "weld_argon", "weld_en", "weld_apprentice"],
            relevant: &[],
            absent: &["weld_closed", "electrician", "forklift_zh"],
        },
        Wished {
            label: "an occupation reaches its minor group, not its medium group",
            seeker: SeekerSpec {
                occupation_codes: &["6-31-01-02"],
                ..SeekerSpec::new("机修钳工", &[])
            },
            best: &["electrician"],
            relevant: &[],
            absent: &["weld_zh", "cook_zh"],
        },
        Wished {
            label: "a wished code above the seeker's own words for another trade",
            seeker: SeekerSpec {
                occupation_codes: &["6-31-01-03"],
                ..SeekerSpec::new("电工", &["电焊工"])
            },
            best: &["electrician"],
            relevant: &["weld_zh", "weld_argon"],
            absent: &["cook_zh"],
        },
    ]
}

#[test]
fn each_wish_in_codes_ranks_its_graded_vacancies() {
    let mut index = crate::support::TestIndex::new();
    let mut keys = std::collections::HashMap::new();
    for (key, spec) in crate::fixture::vacancies() {
        keys.insert(index.publish(&spec).as_uuid().to_string(), key);
    }
    let closed = keys
        .iter()
        .find(|(_, key)| **key == "weld_closed")
        .map(|(id, _)| id.clone())
        .unwrap();
    index.apply(crate::support::vacancy_event(
        "VacancyClosed",
        serde_json::json!({"vacancy_id": closed, "reason": "filled_elsewhere", "note": null}),
    ));
    let cases = wished();
    let seekers: Vec<_> = cases
        .iter()
        .map(|case| index.register(&case.seeker))
        .collect();
    index.commit();
    let mut failures = Vec::new();
    for (case, seeker) in cases.iter().zip(seekers) {
        let results = index
            .index
            .matches_for(
                &seeker.as_uuid().to_string(),
                &MatchOptions {
                    limit: 50,
                    now: Some(now()),
                    ..MatchOptions::default()
                },
            )
            .unwrap();
        let ranked: Vec<&str> = results.hits.iter().map(|hit| keys[&hit.id]).collect();
        check(
            case.label,
            &ranked,
            case.best,
            case.relevant,
            case.absent,
            &mut failures,
        );
        // Every best hit says which wished code it falls under.
        for hit in results
            .hits
            .iter()
            .filter(|hit| case.best.contains(&keys[&hit.id]))
        {
            assert!(
                hit.reasons
                    .iter()
                    .any(|reason| reason.kind == ReasonKind::OccupationCode
                        && reason.field == Some(ReasonField::OccupationCode)),
                "{}: {} has no code reason: {:?}",
                case.label,
                keys[&hit.id],
                hit.reasons
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The candidates for the electrician's post (`6-31-01-03`): the wish for
/// the occupation itself, then one for another occupation of its minor
/// group, then one for its medium group, all before a seeker who only
/// writes the word; a wish for another trade finds nothing.
#[test]
fn candidates_whose_wished_code_covers_the_vacancy_come_first_by_closeness() {
    let mut index = crate::support::TestIndex::new();
    let mut vacancy = None;
    for (key, spec) in crate::fixture::vacancies() {
        let id = index.publish(&spec);
        if key == "electrician" {
            vacancy = Some(id);
        }
    }
    let seeker = |name, codes, words| SeekerSpec {
        occupation_codes: codes,
        ..SeekerSpec::new(name, words)
    };
    let exact = index.register(&seeker("赵有才", &["6-31-01-03"], &[]));
    let sibling = index.register(&seeker("机电维修", &["6-31-01-10"], &[]));
    let medium = index.register(&seeker("生产辅助", &["6-31-00-00"], &[]));
    let words = index.register(&seeker("写电工的", &[], &["电工"]));
    let welder = index.register(&seeker("焊工", &["6-18-02-04"], &["焊工"]));
    index.commit();
    let results = index
        .index
        .candidates_for(
            &vacancy.unwrap().as_uuid().to_string(),
            &MatchOptions {
                limit: 50,
                now: Some(now()),
                ..MatchOptions::default()
            },
        )
        .unwrap();
    let order: Vec<String> = results.hits.iter().map(|hit| hit.id.clone()).collect();
    let id = |seeker: labex_domain::JobSeekerId| seeker.as_uuid().to_string();
    assert_eq!(
        order,
        [id(exact), id(sibling), id(medium), id(words)],
        "{results:?}"
    );
    let reason = |rank: usize| {
        results.hits[rank]
            .reasons
            .iter()
            .find(|reason| reason.kind == ReasonKind::OccupationCode)
            .map(|reason| reason.detail.clone())
    };
    assert_eq!(reason(0).as_deref(), Some("6-31-01-03 in 6-31-01-03"));
    assert_eq!(reason(1).as_deref(), Some("6-31-01-03 in 6-31-01-00"));
    assert_eq!(reason(2).as_deref(), Some("6-31-01-03 in 6-31-00-00"));
    assert_eq!(reason(3), None, "words alone say nothing of codes");
    assert!(!order.contains(&id(welder)));
    // The index keeps the wish, codes being no personal data, and still no
    // name.
    let Some(labex_search::Record::JobSeeker(record)) = index.index.record(&id(exact)).unwrap()
    else {
        panic!("the seeker is indexed");
    };
    assert_eq!(
        record.profile.desired_occupation_codes,
        [OccupationCode::parse("6-31-01-03").unwrap()]
    );
    assert!(!serde_json::to_string(&record).unwrap().contains("赵有才"));
}
