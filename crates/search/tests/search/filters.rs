//! Filters, sorting, paging limits, facets and type-ahead over the
//! relevance fixture.

use chrono::Duration;
use labex_domain::value::{DivisionCode, Education, JobSeekerCategory};
use labex_search::{SearchError, SortOrder, VacancySearch};

use crate::fixture::vacancies;
use crate::shared_fixture;
use crate::support::{TestIndex, VacancySpec, now, vacancy_event};

fn search(search: VacancySearch) -> Vec<&'static str> {
    let fixture = shared_fixture();
    let search = VacancySearch {
        limit: 100,
        now: Some(now()),
        ..search
    };
    let results = fixture.index.index.search_vacancies(&search).unwrap();
    assert_eq!(results.total, results.hits.len(), "one page holds them all");
    results
        .hits
        .iter()
        .map(|hit| fixture.key(&hit.id))
        .collect()
}

fn keys_where(predicate: impl Fn(&crate::support::VacancySpec) -> bool) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = vacancies()
        .into_iter()
        .filter(|(key, spec)| *key != "weld_closed" && predicate(spec))
        .map(|(key, _)| key)
        .collect();
    keys.sort();
    keys
}

fn sorted(mut keys: Vec<&'static str>) -> Vec<&'static str> {
    keys.sort();
    keys
}

#[test]
fn closed_vacancies_are_left_out_unless_asked_for() {
    let open = search(VacancySearch::default());
    assert_eq!(open.len(), vacancies().len() - 1);
    assert!(!open.contains(&"weld_closed"));
    let all = search(VacancySearch {
        include_closed: true,
        ..VacancySearch::default()
    });
    assert!(all.contains(&"weld_closed"));
}

#[test]
fn a_city_covers_its_districts_and_a_province_its_cities() {
    let zhengzhou = DivisionCode::parse("410100").unwrap();
    assert_eq!(
        sorted(search(VacancySearch {
            region: Some(zhengzhou),
            ..VacancySearch::default()
        })),
        keys_where(|spec| spec.region.starts_with("4101"))
    );
    let henan = DivisionCode::parse("410000").unwrap();
    assert_eq!(
        sorted(search(VacancySearch {
            region: Some(henan),
            ..VacancySearch::default()
        })),
        keys_where(|spec| spec.region.starts_with("41"))
    );
    let jinshui = DivisionCode::parse("410105").unwrap();
    assert_eq!(
        sorted(search(VacancySearch {
            region: Some(jinshui),
            ..VacancySearch::default()
        })),
        keys_where(|spec| spec.region == "410105")
    );
}

#[test]
fn salary_education_welcomes_and_public_welfare_filter() {
    assert_eq!(
        sorted(search(VacancySearch {
            salary_min_yuan: Some(9000),
            ..VacancySearch::default()
        })),
        keys_where(|spec| spec.salary.1 >= 9000)
    );
    let junior = Education::JuniorSecondary;
    assert_eq!(
        sorted(search(VacancySearch {
            education: Some(junior),
            ..VacancySearch::default()
        })),
        keys_where(|spec| matches!(spec.education, "none" | "primary" | "junior_secondary"))
    );
    assert_eq!(
        sorted(search(VacancySearch {
            welcomes: vec![JobSeekerCategory::Hardship],
            ..VacancySearch::default()
        })),
        keys_where(|spec| spec.welcomes.contains(&"hardship"))
    );
    assert_eq!(
        search(VacancySearch {
            public_welfare: Some(true),
            ..VacancySearch::default()
        }),
        ["clean_welfare"]
    );
    assert_eq!(
        sorted(search(VacancySearch {
            q: Some("司机".to_owned()),
            salary_min_yuan: Some(9000),
            region: Some(DivisionCode::parse("410100").unwrap()),
            ..VacancySearch::default()
        })),
        ["ride_zh", "truck_zh"]
    );
}

#[test]
fn occupation_employer_and_posting_date_filter() {
    assert_eq!(
        sorted(search(VacancySearch {
            occupation: Some("中式烹调师".to_owned()),
            ..VacancySearch::default()
        })),
        ["cook_canteen", "cook_en", "cook_zh"]
    );
    assert_eq!(
        sorted(search(VacancySearch {
            posted_after: Some(now() - Duration::days(3) - Duration::hours(1)),
            ..VacancySearch::default()
        })),
        keys_where(|spec| spec.days_ago <= 3)
    );
    let fixture = shared_fixture();
    assert_eq!(
        search(VacancySearch {
            employer: Some(fixture.index.employer),
            ..VacancySearch::default()
        })
        .len(),
        vacancies().len() - 1
    );
    assert!(
        search(VacancySearch {
            employer: Some(labex_domain::EmployerId::from_uuid(uuid::Uuid::now_v7())),
            ..VacancySearch::default()
        })
        .is_empty()
    );
}

#[test]
fn newest_and_salary_sorts_order_by_date_and_pay() {
    let newest = search(VacancySearch {
        sort: SortOrder::Newest,
        ..VacancySearch::default()
    });
    assert_eq!(newest[0], "rust_zh");
    let ages: Vec<i64> = newest
        .iter()
        .map(|key| {
            vacancies()
                .into_iter()
                .find(|(k, _)| k == key)
                .unwrap()
                .1
                .days_ago
        })
        .collect();
    assert!(ages.windows(2).all(|pair| pair[0] <= pair[1]), "{ages:?}");
    let by_pay = search(VacancySearch {
        sort: SortOrder::Salary,
        ..VacancySearch::default()
    });
    assert_eq!(&by_pay[..2], ["rust_en", "java_zh"]);
}

#[test]
fn text_relevance_is_gently_boosted_by_recency() {
    // Without text, relevance is recency alone.
    let relevance = search(VacancySearch::default());
    assert_eq!(relevance[0], "rust_zh");

    // With text: equally good matches come newest first, and a clearly
    // better match (the word in title and occupation) stays ahead of a
    // much newer weaker one (the word only in the description).
    let mut index = TestIndex::new();
    let weld = VacancySpec::new("电焊工", "电焊工", "负责钢结构焊接。");
    let weld_old = index.publish(&weld.clone().days_ago(60));
    let weld_new = index.publish(&weld.clone().days_ago(2));
    let weld_middle = index.publish(&weld.days_ago(20));
    let forklift_strong = index
        .publish(&VacancySpec::new("叉车司机", "叉车司机", "负责仓库货物装卸搬运。").days_ago(90));
    let forklift_weak = index.publish(
        &VacancySpec::new("仓库保管员", "仓库保管员", "管理仓库库存，偶尔驾驶叉车。").days_ago(0),
    );
    index.publish(&VacancySpec::new("中式烹调师", "中式烹调师", "负责热菜制作。").days_ago(5));
    index.commit();
    let ranked = |q: &str| -> Vec<(String, f32)> {
        index
            .index
            .search_vacancies(&VacancySearch {
                q: Some(q.to_owned()),
                limit: 10,
                now: Some(now()),
                ..VacancySearch::default()
            })
            .unwrap()
            .hits
            .into_iter()
            .map(|hit| (hit.id, hit.score))
            .collect()
    };
    let id = |id: labex_domain::VacancyId| id.as_uuid().to_string();

    let welders = ranked("电焊工");
    let order: Vec<&str> = welders.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        order,
        [id(weld_new), id(weld_middle), id(weld_old)],
        "equally good matches, newest first: {welders:?}"
    );
    assert!(
        welders[0].1 > welders[1].1 && welders[1].1 > welders[2].1,
        "{welders:?}"
    );
    // Gently: at most a fifth apart.
    assert!(welders[0].1 <= welders[2].1 * 1.2, "{welders:?}");

    let forklifts = ranked("叉车");
    let order: Vec<&str> = forklifts.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        order,
        [id(forklift_strong), id(forklift_weak)],
        "the better match, 90 days old, before the weaker one of today: {forklifts:?}"
    );
}

#[test]
fn pages_do_not_overlap_and_limits_are_enforced() {
    let fixture = shared_fixture();
    let index = &fixture.index.index;
    let page = |offset| {
        index
            .search_vacancies(&VacancySearch {
                limit: 5,
                offset,
                sort: SortOrder::Newest,
                now: Some(now()),
                ..VacancySearch::default()
            })
            .unwrap()
    };
    let first = page(0);
    let second = page(5);
    assert_eq!(first.total, vacancies().len() - 1);
    assert_eq!(first.hits.len(), 5);
    assert!(
        first
            .hits
            .iter()
            .all(|hit| second.hits.iter().all(|other| other.id != hit.id))
    );
    assert!(page(2_000).hits.is_empty());
    let too_many = index.search_vacancies(&VacancySearch {
        limit: 101,
        ..VacancySearch::default()
    });
    assert!(matches!(
        too_many,
        Err(SearchError::LimitTooLarge {
            limit: 101,
            max: 100
        })
    ));
    let too_far = index.search_vacancies(&VacancySearch {
        offset: 2_001,
        ..VacancySearch::default()
    });
    let error = too_far.unwrap_err();
    assert!(error.is_bad_request());
    assert!(matches!(
        error,
        SearchError::OffsetTooLarge {
            offset: 2_001,
            max: 2_000
        }
    ));
}

#[test]
fn facets_count_every_match_by_city_occupation_education_and_welcomes() {
    let fixture = shared_fixture();
    let results = fixture
        .index
        .index
        .search_vacancies(&VacancySearch {
            limit: 1,
            now: Some(now()),
            ..VacancySearch::default()
        })
        .unwrap();
    let count = |values: &[labex_search::FacetCount], value: &str| {
        values
            .iter()
            .find(|facet| facet.value == value)
            .map_or(0, |facet| facet.count)
    };
    let facets = &results.facets;
    let zhengzhou = keys_where(|spec| spec.region.starts_with("4101")).len() as u64;
    assert_eq!(count(&facets.region, "410100"), zhengzhou);
    assert_eq!(count(&facets.region, "420100"), 2);
    assert_eq!(facets.region[0].value, "410100");
    assert_eq!(count(&facets.occupation, "电焊工"), 4);
    assert_eq!(count(&facets.occupation, "软件开发"), 4);
    let total: u64 = facets.education.iter().map(|facet| facet.count).sum();
    assert_eq!(total as usize, results.total);
    assert_eq!(count(&facets.education, "bachelor"), 2);
    assert_eq!(count(&facets.welcomes, "hardship"), 3);

    // Within a city, regions are counted by county.
    let in_city = fixture
        .index
        .index
        .search_vacancies(&VacancySearch {
            q: Some("司机".to_owned()),
            region: Some(DivisionCode::parse("410100").unwrap()),
            now: Some(now()),
            ..VacancySearch::default()
        })
        .unwrap();
    assert_eq!(count(&in_city.facets.region, "410105"), 2);
    assert_eq!(count(&in_city.facets.region, "410103"), 1);
    assert_eq!(count(&in_city.facets.region, "410122"), 1);
}

#[test]
fn type_ahead_completes_chinese_and_latin_prefixes_from_open_vacancies() {
    let index = &shared_fixture().index.index;
    let words = |prefix: &str| -> Vec<String> {
        index
            .complete(prefix, 10)
            .unwrap()
            .into_iter()
            .map(|suggestion| suggestion.text)
            .collect()
    };
    let welding = words("电焊");
    assert_eq!(welding, ["电焊工"]);
    let chinese = words("叉");
    assert_eq!(chinese[0], "叉车");
    assert!(words("fork").contains(&"forklift".to_owned()));
    assert!(words("Dri").contains(&"driver".to_owned()));
    let counted = index.complete("司", 5).unwrap();
    assert_eq!(counted[0].text, "司机");
    assert_eq!(counted[0].count, 4);
    // Words only a closed vacancy has are not offered.
    assert!(words("已招").is_empty());
    assert!(words("").is_empty());
}

/// The ids of the open vacancies in Zhengzhou paying 5,000 or more, `days`
/// after [`now`], matching `q`.
fn open_in_zhengzhou(index: &TestIndex, days: i64, q: Option<&str>) -> Vec<String> {
    let results = index
        .index
        .search_vacancies(&VacancySearch {
            q: q.map(str::to_owned),
            region: Some(DivisionCode::parse("410100").unwrap()),
            salary_min_yuan: Some(5000),
            now: Some(now() + Duration::days(days)),
            ..VacancySearch::default()
        })
        .unwrap();
    assert_eq!(results.total, results.hits.len());
    let mut ids: Vec<String> = results.hits.into_iter().map(|hit| hit.id).collect();
    ids.sort();
    ids
}

#[test]
fn a_vacancy_leaves_the_results_when_it_closes_and_returns_for_earlier_moments() {
    let mut index = TestIndex::new();
    let closing = index.publish(
        &VacancySpec::new("仓库叉车司机", "叉车司机", "驾驶叉车完成装卸").closes_in_days(2),
    );
    let staying = index.publish(&VacancySpec::new("冷库叉车司机", "叉车司机", "驾驶叉车"));
    index.commit();
    let both = {
        let mut both = vec![closing.as_uuid().to_string(), staying.as_uuid().to_string()];
        both.sort();
        both
    };
    for q in [None, Some("叉车")] {
        assert_eq!(
            open_in_zhengzhou(&index, 0, q),
            both,
            "open at first, {q:?}"
        );
        assert_eq!(
            open_in_zhengzhou(&index, 3, q),
            vec![staying.as_uuid().to_string()],
            "closed after its closing day, {q:?}"
        );
        // The filter kept for the later moment is not used for an earlier one.
        assert_eq!(
            open_in_zhengzhou(&index, 1, q),
            both,
            "still open the day before, {q:?}"
        );
    }

    // Closing the other one rewrites it in a new segment; what was kept for
    // the old segment still answers right.
    index.apply(vacancy_event(
        "VacancyClosed",
        serde_json::json!({"vacancy_id": staying, "reason": "withdrawn", "note": null}),
    ));
    index.commit();
    assert_eq!(
        open_in_zhengzhou(&index, 0, None),
        vec![closing.as_uuid().to_string()]
    );
    assert_eq!(
        open_in_zhengzhou(&index, 3, Some("叉车")),
        Vec::<String>::new()
    );
}

/// A search of filters alone is answered from the filters' bit sets and
/// the kept orders; with a publication floor it goes the general way. Both
/// must give the same totals, facets and pages, over several segments and
/// with documents deleted by updates.
#[test]
fn searches_of_filters_alone_answer_as_the_general_way_does() {
    const REGIONS: [&str; 4] = ["410105", "410102", "410305", "420106"];
    let mut index = TestIndex::new();
    let mut ids = Vec::new();
    for n in 0..120_i64 {
        let spec = VacancySpec::new("叉车司机", "叉车司机", "驾驶叉车")
            .region(REGIONS[n as usize % REGIONS.len()])
            // Distinct days and pay (many equal maxima, told apart by the
            // minima): one right order for every sort.
            .salary(3_000 + 10 * n as u32, 6_000 + 500 * (n as u32 % 5))
            .education(if n % 3 == 0 {
                "senior_secondary"
            } else {
                "none"
            })
            .days_ago(n);
        ids.push(index.publish(&spec));
        if n % 30 == 29 {
            index.commit();
        }
    }
    for id in ids.iter().step_by(7) {
        index.apply(vacancy_event(
            "VacancyClosed",
            serde_json::json!({"vacancy_id": id, "reason": "withdrawn", "note": null}),
        ));
    }
    index.commit();
    let long_ago = now() - Duration::days(10_000);
    for region in [None, Some("410000"), Some("410100"), Some("410105")] {
        for salary_min_yuan in [None, Some(7_000)] {
            for sort in [SortOrder::Relevance, SortOrder::Newest, SortOrder::Salary] {
                for (offset, limit) in [(0, 10), (5, 20), (100, 10)] {
                    let search = VacancySearch {
                        region: region.map(|code| DivisionCode::parse(code).unwrap()),
                        salary_min_yuan,
                        education: Some(Education::SeniorSecondary),
                        sort,
                        offset,
                        limit,
                        now: Some(now()),
                        ..VacancySearch::default()
                    };
                    let direct = index.index.search_vacancies(&search).unwrap();
                    let general = index
                        .index
                        .search_vacancies(&VacancySearch {
                            posted_after: Some(long_ago),
                            ..search.clone()
                        })
                        .unwrap();
                    let ids = |hits: &[labex_search::Hit]| -> Vec<String> {
                        hits.iter().map(|hit| hit.id.clone()).collect()
                    };
                    let case = format!("{region:?} {salary_min_yuan:?} {sort:?} {offset}");
                    assert!(direct.total > 0 || region == Some("410105"), "{case}");
                    assert_eq!(direct.total, general.total, "{case}");
                    assert_eq!(ids(&direct.hits), ids(&general.hits), "{case}");
                    assert_eq!(direct.facets, general.facets, "{case}");
                }
            }
        }
    }
}

#[test]
fn a_search_of_one_fair_finds_only_the_vacancies_its_exhibitors_bring() {
    let fixture = shared_fixture();
    let brought = ["weld_closed", "electrician"];
    let vacancies = brought
        .iter()
        .filter_map(|key| fixture.ids.get(key).copied())
        .collect::<Vec<_>>();
    assert_eq!(vacancies.len(), 2, "the fixture has both vacancies");
    assert_eq!(
        search(VacancySearch {
            vacancies: Some(vacancies.clone()),
            ..VacancySearch::default()
        }),
        ["electrician"],
        "a closed vacancy stays out of a fair's search too"
    );
    assert!(
        search(VacancySearch {
            q: Some("会计".to_owned()),
            vacancies: Some(vacancies.clone()),
            ..VacancySearch::default()
        })
        .is_empty()
    );
    // An exhibitor joins: the fair's set is another, not the one kept.
    let mut joined = vacancies.clone();
    joined.push(fixture.ids["accountant"]);
    assert_eq!(
        sorted(search(VacancySearch {
            vacancies: Some(joined.clone()),
            ..VacancySearch::default()
        })),
        ["accountant", "electrician"]
    );
    // The same set in another order, or with an id twice, is the same set.
    joined.reverse();
    joined.push(joined[0]);
    assert_eq!(
        sorted(search(VacancySearch {
            vacancies: Some(joined),
            ..VacancySearch::default()
        })),
        ["accountant", "electrician"]
    );
    assert_eq!(
        search(VacancySearch {
            vacancies: Some(vacancies),
            ..VacancySearch::default()
        }),
        ["electrician"]
    );
    assert!(
        search(VacancySearch {
            vacancies: Some(Vec::new()),
            ..VacancySearch::default()
        })
        .is_empty()
    );
}

#[test]
fn text_narrowed_by_a_region_ranks_as_the_whole_search_filtered_afterwards() {
    // Four counties, a quarter of the vacancies each: a county's filters
    // pass few enough that the text's terms are narrowed to them.
    const REGIONS: [&str; 4] = ["410105", "410102", "410305", "420106"];
    const SPECS: [(&str, &str, &str); 5] = [
        ("叉车司机（包吃住）", "叉车司机", "驾驶叉车完成装卸"),
        ("电焊工", "电焊工", "二氧化碳保护焊，包吃住"),
        ("维修电工", "电工", "负责厂区电路维修"),
        ("仓库管理员", "仓管", "负责入库出库，会开叉车优先"),
        ("餐厅服务员", "服务员", "五险一金，双休"),
    ];
    let mut index = TestIndex::new();
    let mut regions = std::collections::HashMap::new();
    for n in 0..100_usize {
        let (title, occupation, description) = SPECS[n % SPECS.len()];
        let region = REGIONS[(n / SPECS.len()) % REGIONS.len()];
        let spec = VacancySpec::new(title, occupation, description)
            .region(region)
            .days_ago(n as i64 % 40);
        let id = index.publish(&spec);
        regions.insert(id.to_string(), region);
        if n % 30 == 29 {
            index.commit();
        }
    }
    index.commit();
    for q in [
        "叉车",
        "电焊工 包吃住",
        "\"驾驶叉车\"",
        "工",
        "叉车 -仓库",
        "焊",
    ] {
        let whole = index
            .index
            .search_vacancies(&VacancySearch {
                limit: 100,
                now: Some(now()),
                ..VacancySearch::text(q)
            })
            .unwrap();
        assert!(whole.total > 0, "{q} finds something");
        for region in REGIONS {
            let narrowed = index
                .index
                .search_vacancies(&VacancySearch {
                    region: Some(DivisionCode::parse(region).unwrap()),
                    limit: 100,
                    now: Some(now()),
                    ..VacancySearch::text(q)
                })
                .unwrap();
            let expected: Vec<_> = whole
                .hits
                .iter()
                .filter(|hit| regions[&hit.id] == region)
                .map(|hit| (hit.id.clone(), hit.score, hit.highlight.clone()))
                .collect();
            let found: Vec<_> = narrowed
                .hits
                .iter()
                .map(|hit| (hit.id.clone(), hit.score, hit.highlight.clone()))
                .collect();
            assert_eq!(narrowed.total, expected.len(), "{q} in {region}");
            assert_eq!(found, expected, "{q} in {region}");
        }
    }
}
