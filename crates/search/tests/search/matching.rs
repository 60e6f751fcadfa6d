//! Vacancies for a job seeker and job seekers for a vacancy, with reasons
//! and the notice's priority for hardship groups.

use labex_search::{Hit, MatchOptions, Reason, ReasonField, ReasonKind, SearchError};
use serde_json::json;

use crate::fixture::vacancies;
use crate::support::{SeekerSpec, TestIndex, VacancySpec, now, vacancy_event};

fn options() -> MatchOptions {
    MatchOptions {
        limit: 20,
        now: Some(now()),
        ..MatchOptions::default()
    }
}

fn has_reason(reasons: &[Reason], kind: ReasonKind, detail: &str) -> bool {
    reasons
        .iter()
        .any(|reason| reason.kind == kind && reason.detail.contains(detail))
}

fn field_of(reasons: &[Reason], kind: ReasonKind, detail: &str) -> Option<ReasonField> {
    reasons
        .iter()
        .find(|reason| reason.kind == kind && reason.detail.contains(detail))
        .and_then(|reason| reason.field)
}

/// Every hit says why it was found, and every reason says where: text
/// reasons in the title, occupation or description.
fn assert_reasons_say_where(hits: &[Hit]) {
    assert!(!hits.is_empty());
    for hit in hits {
        assert!(!hit.reasons.is_empty(), "{hit:?}");
        for reason in &hit.reasons {
            let expected: &[ReasonField] = match reason.kind {
                ReasonKind::Occupation | ReasonKind::Skill | ReasonKind::Summary => &[
                    ReasonField::Title,
                    ReasonField::Occupation,
                    ReasonField::Description,
                ],
                ReasonKind::Region => &[ReasonField::Region],
                ReasonKind::Education => &[ReasonField::Education],
                ReasonKind::Welcomes => &[ReasonField::Welcomes],
                ReasonKind::PublicWelfare => &[ReasonField::PublicWelfare],
                ReasonKind::Priority => &[ReasonField::Categories],
            };
            assert!(
                reason.field.is_some_and(|field| expected.contains(&field)),
                "{reason:?} of {hit:?}"
            );
            let json = serde_json::to_value(reason).unwrap();
            assert!(json["field"].is_string(), "{json}");
        }
    }
}

#[test]
fn vacancies_for_a_welder_come_with_their_reasons() {
    let mut index = TestIndex::new();
    let mut ids = std::collections::HashMap::new();
    for (key, spec) in vacancies()
        .into_iter()
        .filter(|(key, _)| *key != "weld_closed")
    {
        ids.insert(index.publish(&spec).as_uuid().to_string(), key);
    }
    let welder = index.register(&SeekerSpec {
        education: "junior_secondary",
        categories: &["migrant_worker"],
        skills: &["二氧化碳保护焊"],
        desired_regions: &["410100"],
        summary: Some("在钢结构厂做过五年电焊"),
        ..SeekerSpec::new("王师傅", &["电焊工"])
    });
    index.commit();
    let results = index
        .index
        .matches_for(&welder.as_uuid().to_string(), &options())
        .unwrap();
    let ranked: Vec<&str> = results.hits.iter().map(|hit| ids[&hit.id]).collect();
    assert_eq!(ranked[0], "weld_zh", "{ranked:?}");
    assert!(ranked[..4].contains(&"weld_argon"), "{ranked:?}");
    assert!(ranked.contains(&"weld_apprentice"), "{ranked:?}");
    // Asks more education than the seeker has.
    assert!(!ranked.contains(&"rust_zh"));
    let best = &results.hits[0];
    assert_eq!(best.title.as_deref(), Some("招聘电焊工3名"));
    let reasons = &best.reasons;
    assert!(
        has_reason(reasons, ReasonKind::Occupation, "电焊工"),
        "{reasons:?}"
    );
    assert!(
        has_reason(reasons, ReasonKind::Skill, "二氧化碳保护焊"),
        "{reasons:?}"
    );
    assert!(
        has_reason(reasons, ReasonKind::Region, "410105 in 410100"),
        "{reasons:?}"
    );
    assert!(
        has_reason(reasons, ReasonKind::Education, "asks junior_secondary"),
        "{reasons:?}"
    );
    assert!(
        has_reason(reasons, ReasonKind::Welcomes, "migrant_worker"),
        "{reasons:?}"
    );
    assert_eq!(
        field_of(reasons, ReasonKind::Occupation, "电焊工"),
        Some(ReasonField::Occupation),
        "{reasons:?}"
    );
    assert_eq!(
        field_of(reasons, ReasonKind::Region, "410105"),
        Some(ReasonField::Region)
    );
    assert_reasons_say_where(&results.hits);
    // Kaifeng is outside the desired region: no region reason.
    let apprentice = results
        .hits
        .iter()
        .find(|hit| ids[&hit.id] == "weld_apprentice")
        .unwrap();
    assert!(
        !apprentice
            .reasons
            .iter()
            .any(|reason| reason.kind == ReasonKind::Region)
    );
    let json = serde_json::to_value(best).unwrap();
    assert_eq!(json["reasons"][0]["kind"], "occupation");
    assert_eq!(json["reasons"][0]["detail"], "电焊工");
    assert_eq!(json["reasons"][0]["field"], "occupation");
}

#[test]
fn hard_to_employ_seekers_are_offered_public_welfare_posts() {
    let mut index = TestIndex::new();
    let mut ids = std::collections::HashMap::new();
    for (key, spec) in vacancies()
        .into_iter()
        .filter(|(key, _)| *key != "weld_closed")
    {
        ids.insert(index.publish(&spec).as_uuid().to_string(), key);
    }
    let seeker = index.register(&SeekerSpec {
        categories: &["zero_employment_household"],
        ..SeekerSpec::new("赵阿姨", &["保洁员"])
    });
    index.commit();
    let results = index
        .index
        .matches_for(&seeker.as_uuid().to_string(), &options())
        .unwrap();
    let best = &results.hits[0];
    assert_eq!(ids[&best.id], "clean_welfare");
    assert!(has_reason(
        &best.reasons,
        ReasonKind::Welcomes,
        "zero_employment_household"
    ));
    assert!(
        best.reasons
            .iter()
            .any(|reason| reason.kind == ReasonKind::PublicWelfare)
    );
    assert_reasons_say_where(&results.hits);
}

#[test]
fn comparable_candidates_in_hardship_groups_come_first() {
    let mut index = TestIndex::new();
    let vacancy = index.publish(
        &VacancySpec::new("社区保洁员", "保洁员", "负责小区公共区域清洁。").region("410103"),
    );
    let plain = index.register(&SeekerSpec {
        desired_regions: &["410100"],
        ..SeekerSpec::new("张一", &["保洁员"])
    });
    let zero_employment = index.register(&SeekerSpec {
        desired_regions: &["410100"],
        categories: &["zero_employment_household"],
        ..SeekerSpec::new("李二", &["保洁员"])
    });
    let graduate = index.register(&SeekerSpec {
        desired_regions: &["410100"],
        education: "associate",
        categories: &["graduate"],
        ..SeekerSpec::new("陈三", &["保洁员"])
    });
    let much_better = index.register(&SeekerSpec {
        desired_regions: &["410103"],
        skills: &["保洁", "清洁"],
        summary: Some("做过八年小区保洁，熟悉公共区域清洁"),
        ..SeekerSpec::new("刘四", &["保洁员"])
    });
    let weaker_disabled = index.register(&SeekerSpec {
        categories: &["disabled"],
        desired_regions: &["420100"],
        summary: Some("做过一些清洁工作"),
        ..SeekerSpec::new("周五", &["仓库管理员"])
    });
    let employed = index.register(&SeekerSpec {
        categories: &["zero_employment_household"],
        desired_regions: &["410100"],
        ..SeekerSpec::new("吴六", &["保洁员"])
    });
    index.apply(vacancy_event(
        "EmploymentRegistered",
        json!({
            "jobseeker_id": employed,
            "started_on": "2026-05-01",
            "employer_id": null,
            "employer_name": null,
            "vacancy_id": null,
            "referral_id": null,
            "note": null
        }),
    ));
    let cook = index.register(&SeekerSpec::new("郑七", &["中式烹调师"]));
    index.commit();

    let results = index
        .index
        .candidates_for(&vacancy.as_uuid().to_string(), &options())
        .unwrap();
    let order: Vec<String> = results.hits.iter().map(|hit| hit.id.clone()).collect();
    let rank = |id: labex_domain::JobSeekerId| {
        order
            .iter()
            .position(|found| *found == id.as_uuid().to_string())
    };
    assert_eq!(
        rank(much_better),
        Some(0),
        "a clearly better match stays first"
    );
    assert!(rank(zero_employment) < rank(graduate), "{order:?}");
    assert!(rank(graduate) < rank(plain), "{order:?}");
    assert!(rank(weaker_disabled) > rank(plain), "{order:?}");
    assert_eq!(rank(employed), None, "employed job seekers are left out");
    assert_eq!(rank(cook), None, "unrelated job seekers are left out");
    let hit = &results.hits[rank(zero_employment).unwrap()];
    assert_eq!(hit.name, None, "the index holds no names");
    assert!(has_reason(
        &hit.reasons,
        ReasonKind::Priority,
        "zero_employment_household"
    ));
    assert!(has_reason(&hit.reasons, ReasonKind::Occupation, "保洁员"));
    assert!(has_reason(
        &hit.reasons,
        ReasonKind::Region,
        "410103 in 410100"
    ));
    assert_eq!(
        field_of(
            &hit.reasons,
            ReasonKind::Priority,
            "zero_employment_household"
        ),
        Some(ReasonField::Categories)
    );
    assert_reasons_say_where(&results.hits);

    // Within an office's scope only.
    let scoped = index
        .index
        .candidates_for(
            &vacancy.as_uuid().to_string(),
            &MatchOptions {
                office_scope: Some(labex_domain::value::DivisionCode::parse("420000").unwrap()),
                ..options()
            },
        )
        .unwrap();
    assert_eq!(scoped.total, 0);
}

#[test]
fn a_coded_vacancy_finds_seekers_by_its_classification_title() {
    let mut index = TestIndex::new();
    let coded = index.publish(
        &VacancySpec::new("厂区设备维护", "维修师傅", "负责配电柜和线路巡检。")
            .occupation_code("6-31-01-03"),
    );
    let uncoded = index.publish(&VacancySpec::new(
        "厂区设备维护",
        "维修师傅",
        "负责配电柜和线路巡检。",
    ));
    let electrician = index.register(&SeekerSpec::new("赵电工", &["电工"]));
    index.commit();
    let candidates = |vacancy: labex_domain::VacancyId| -> Vec<Hit> {
        index
            .index
            .candidates_for(&vacancy.as_uuid().to_string(), &options())
            .unwrap()
            .hits
    };
    let ids = |hits: &[Hit]| -> Vec<String> { hits.iter().map(|hit| hit.id.clone()).collect() };
    let electrician = electrician.as_uuid().to_string();
    let found = candidates(coded);
    assert_eq!(ids(&found), [electrician.as_str()]);
    assert_eq!(
        field_of(&found[0].reasons, ReasonKind::Occupation, "电工"),
        Some(ReasonField::Occupation),
        "{:?}",
        found[0].reasons
    );
    assert!(
        !ids(&candidates(uncoded)).contains(&electrician),
        "without a code nothing says the post is an electrician's"
    );
}

#[test]
fn unknown_ids_are_not_found() {
    let index = TestIndex::new();
    let missing = uuid::Uuid::now_v7().to_string();
    assert!(matches!(
        index.index.matches_for(&missing, &options()),
        Err(SearchError::NotFound {
            kind: "jobseeker",
            ..
        })
    ));
    assert!(matches!(
        index.index.candidates_for(&missing, &options()),
        Err(SearchError::NotFound {
            kind: "vacancy",
            ..
        })
    ));
}

#[test]
fn text_reasons_say_in_which_field_they_matched() {
    let mut index = TestIndex::new();
    let vacancy = index.publish(&VacancySpec::new(
        "钢结构厂招聘焊工",
        "电焊工",
        "要求熟练氩弧焊，能看懂图纸。",
    ));
    let in_title = index.register(&SeekerSpec {
        skills: &["氩弧焊"],
        summary: Some("在钢结构厂干过三年"),
        ..SeekerSpec::new("孙一", &["焊工"])
    });
    let exact = index.register(&SeekerSpec::new("钱二", &["电焊工"]));
    index.commit();

    let results = index
        .index
        .candidates_for(&vacancy.as_uuid().to_string(), &options())
        .unwrap();
    assert_reasons_say_where(&results.hits);
    let reasons_of = |id: labex_domain::JobSeekerId| {
        results
            .hits
            .iter()
            .find(|hit| hit.id == id.as_uuid().to_string())
            .unwrap_or_else(|| panic!("{id:?} is a candidate: {results:?}"))
            .reasons
            .clone()
    };
    let reasons = reasons_of(in_title);
    assert_eq!(
        field_of(&reasons, ReasonKind::Occupation, "焊工"),
        Some(ReasonField::Title),
        "{reasons:?}"
    );
    assert_eq!(
        field_of(&reasons, ReasonKind::Skill, "氩弧焊"),
        Some(ReasonField::Description),
        "{reasons:?}"
    );
    assert_eq!(
        field_of(&reasons, ReasonKind::Summary, "钢结构"),
        Some(ReasonField::Title),
        "{reasons:?}"
    );
    let reasons = reasons_of(exact);
    assert_eq!(
        field_of(&reasons, ReasonKind::Occupation, "电焊工"),
        Some(ReasonField::Occupation),
        "{reasons:?}"
    );

    let results = index
        .index
        .matches_for(&in_title.as_uuid().to_string(), &options())
        .unwrap();
    assert_reasons_say_where(&results.hits);
}
