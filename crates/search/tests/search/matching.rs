//! Vacancies for a job seeker and job seekers for a vacancy, with reasons
//! and the notice's priority for hardship groups; members of zero-employment
//! households as the household register says (decision 093).

use labex_search::{Hit, MatchOptions, Reason, ReasonField, ReasonKind, SearchError};
use serde_json::json;

use crate::fixture::vacancies;
use crate::support::{
    SeekerSpec, TestIndex, VacancySpec, household_cleared, household_declared, household_exited,
    household_registered_again, household_verified, now, vacancy_event,
};

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
                ReasonKind::OccupationCode => &[ReasonField::OccupationCode],
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
    let seeker = index.register(&SeekerSpec::new("赵阿姨", &["保洁员"]));
    index.verified_household(&[seeker]);
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
        desired_regions: &["410100"],
        ..SeekerSpec::new("吴六", &["保洁员"])
    });
    index.verified_household(&[zero_employment, employed]);
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

/// The candidates for `vacancy`, each with its score and reasons.
fn candidates(
    index: &TestIndex,
    vacancy: labex_domain::VacancyId,
) -> std::collections::HashMap<labex_domain::JobSeekerId, (usize, f32, Vec<Reason>)> {
    index.commit();
    index
        .index
        .candidates_for(&vacancy.as_uuid().to_string(), &options())
        .unwrap()
        .hits
        .into_iter()
        .enumerate()
        .map(|(rank, hit)| {
            let id = labex_domain::JobSeekerId::parse(&hit.id).unwrap();
            (id, (rank, hit.score, hit.reasons))
        })
        .collect()
}

fn same_score(a: f32, b: f32) -> bool {
    (a - b).abs() <= a.abs().max(b.abs()) * 1e-5
}

/// Three candidates alike in all but the register: one of a verified
/// household, one who only declared the category, one neither.
fn three_alike(
    index: &mut TestIndex,
) -> (
    labex_domain::VacancyId,
    labex_domain::JobSeekerId,
    labex_domain::JobSeekerId,
    labex_domain::JobSeekerId,
) {
    let vacancy = index.publish(
        &VacancySpec::new("社区保洁员", "保洁员", "负责小区公共区域清洁。").region("410103"),
    );
    let plain = index.register(&SeekerSpec {
        desired_regions: &["410100"],
        ..SeekerSpec::new("张一", &["保洁员"])
    });
    let declared = index.register(&SeekerSpec {
        desired_regions: &["410100"],
        categories: &["zero_employment_household"],
        ..SeekerSpec::new("李二", &["保洁员"])
    });
    let member = index.register(&SeekerSpec {
        desired_regions: &["410100"],
        ..SeekerSpec::new("王三", &["保洁员"])
    });
    (vacancy, plain, declared, member)
}

#[test]
fn a_member_of_a_verified_household_comes_first_among_comparable_candidates() {
    let mut index = TestIndex::new();
    let (vacancy, plain, declared, member) = three_alike(&mut index);
    let household = labex_domain::HouseholdId::from_uuid(uuid::Uuid::now_v7());
    index.apply(household_declared(household, &[member]));
    let found = candidates(&index, vacancy);
    assert!(
        same_score(found[&member].1, found[&plain].1),
        "a declared household, not yet verified, gives nothing: {found:?}"
    );

    index.apply(household_verified(household));
    let found = candidates(&index, vacancy);
    assert_eq!(found[&member].0, 0, "{found:?}");
    assert!(found[&member].1 > found[&plain].1 * 1.1, "{found:?}");
    assert!(has_reason(
        &found[&member].2,
        ReasonKind::Priority,
        "zero_employment_household"
    ));
    let Some(labex_search::Record::JobSeeker(record)) =
        index.index.record(&member.as_uuid().to_string()).unwrap()
    else {
        panic!("the member is indexed");
    };
    assert!(record.in_registered_household);
    assert!(
        record
            .profile
            .categories
            .contains(&labex_domain::value::JobSeekerCategory::ZeroEmploymentHousehold)
    );
    // The index keeps the register, not the household's personal data.
    let Some(labex_search::Record::Household(kept)) = index
        .index
        .record(&household.as_uuid().to_string())
        .unwrap()
    else {
        panic!("the household is kept");
    };
    assert_eq!(kept.address, labex_domain::Personal::Erased);
    assert_eq!(
        kept.decision
            .as_ref()
            .and_then(|decision| decision.note.clone()),
        Some(labex_domain::Personal::Erased)
    );
    assert!(
        !serde_json::to_string(&kept).unwrap().contains("花园路"),
        "no address in the index"
    );
    let _ = declared;
}

#[test]
fn a_self_declared_zero_employment_household_alone_gives_no_priority() {
    let mut index = TestIndex::new();
    let (vacancy, plain, declared, _member) = three_alike(&mut index);
    let found = candidates(&index, vacancy);
    assert!(same_score(found[&declared].1, found[&plain].1), "{found:?}");
    assert!(
        !found[&declared]
            .2
            .iter()
            .any(|reason| reason.kind == ReasonKind::Priority),
        "{found:?}"
    );
    // Nor does a vacancy that welcomes the category welcome them for it.
    let welcoming = index.publish(
        &VacancySpec::new("社区保洁员", "保洁员", "负责小区公共区域清洁。")
            .region("410103")
            .welcomes(&["zero_employment_household"]),
    );
    let found = candidates(&index, welcoming);
    assert!(same_score(found[&declared].1, found[&plain].1), "{found:?}");
    // Once the register has them, they come first, welcomed too.
    index.verified_household(&[declared]);
    let found = candidates(&index, welcoming);
    assert_eq!(found[&declared].0, 0, "{found:?}");
    assert!(has_reason(
        &found[&declared].2,
        ReasonKind::Welcomes,
        "zero_employment_household"
    ));
}

#[test]
fn a_cleared_household_loses_the_priority_and_regains_it_when_registered_again() {
    let mut index = TestIndex::new();
    let (vacancy, plain, _declared, member) = three_alike(&mut index);
    let other = index.register(&SeekerSpec::new("赵四", &["电工"]));
    let household = index.verified_household(&[member, other]);
    assert_eq!(candidates(&index, vacancy)[&member].0, 0);

    // Another member works: the household is cleared (动态消除); help
    // ran until a member works.
    index.apply(household_cleared(household, other));
    let found = candidates(&index, vacancy);
    assert!(same_score(found[&member].1, found[&plain].1), "{found:?}");
    assert!(
        !found[&member]
            .2
            .iter()
            .any(|reason| reason.kind == ReasonKind::Priority)
    );

    index.apply(household_registered_again(household, other));
    let found = candidates(&index, vacancy);
    assert_eq!(found[&member].0, 0, "{found:?}");

    // Left the register (moved away): no priority.
    index.apply(household_exited(household));
    let found = candidates(&index, vacancy);
    assert!(same_score(found[&member].1, found[&plain].1), "{found:?}");
}

#[test]
fn a_household_verified_before_its_member_reaches_the_index_still_counts() {
    let mut index = TestIndex::new();
    let vacancy = index.publish(
        &VacancySpec::new("社区保洁员", "保洁员", "负责小区公共区域清洁。").region("410103"),
    );
    let plain = index.register(&SeekerSpec::new("张一", &["保洁员"]));
    let member = labex_domain::JobSeekerId::from_uuid(uuid::Uuid::now_v7());
    let household = index.verified_household(&[member]);
    // Committed before the member arrives: found in the committed index.
    index.commit();
    index.apply(crate::support::registered(
        member,
        &SeekerSpec::new("王三", &["保洁员"]),
        99,
    ));
    let found = candidates(&index, vacancy);
    assert_eq!(found[&member].0, 0, "{found:?}");
    assert!(found[&member].1 > found[&plain].1 * 1.1, "{found:?}");

    // And before the commit: found among the changes waiting for it.
    let late = labex_domain::JobSeekerId::from_uuid(uuid::Uuid::now_v7());
    let second = labex_domain::HouseholdId::from_uuid(uuid::Uuid::now_v7());
    index.apply(household_declared(second, &[late]));
    index.apply(household_verified(second));
    index.apply(crate::support::registered(
        late,
        &SeekerSpec::new("李四", &["保洁员"]),
        98,
    ));
    let found = candidates(&index, vacancy);
    assert!(same_score(found[&late].1, found[&member].1), "{found:?}");
    // A later change of the member's profile keeps what the register says.
    index.apply(vacancy_event(
        "JobSeekerProfileUpdated",
        json!({"jobseeker_id": late, "profile": {"categories": ["graduate"]}}),
    ));
    let found = candidates(&index, vacancy);
    assert!(same_score(found[&late].1, found[&member].1), "{found:?}");
    let _ = household;
}
