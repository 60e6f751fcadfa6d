use labex_domain::jobseeker::JobSeekerError;
use labex_domain::jobseeker::MAX_DESIRED_OCCUPATION_CODES;
use labex_domain::jobseeker::{
    EmploymentRegistered, JobSeeker, JobSeekerCommand, JobSeekerEvent, JobSeekerProfile,
    JobSeekerProfileUpdated, JobSeekerRegistered, JobSeekerStatus, PersonalDataChanges,
    ProfileChanges, RecordJobSeekerPlacement, RegisterEmployment, RegisterJobSeeker,
    RegisterUnemployment, UnemploymentRegistered, UpdateJobSeekerProfile,
};
use labex_domain::value::{
    Education, GraduationYear, JobSeekerCategory, Note, OccupationCode, OrganisationName,
    PersonName, ResidentId,
};
use labex_domain::{Event, encode};

use crate::fixtures::*;
use crate::support::given;

fn register_unemployment(on: chrono::NaiveDate) -> JobSeekerCommand {
    JobSeekerCommand::RegisterUnemployment(RegisterUnemployment {
        registered_on: on,
        note: Some(Note::parse("原单位关闭停产").unwrap()),
    })
}

fn unemployment_registered(on: chrono::NaiveDate) -> JobSeekerEvent {
    JobSeekerEvent::UnemploymentRegistered(UnemploymentRegistered {
        jobseeker_id: jobseeker_id(),
        registered_on: on,
        note: Some(Note::parse("原单位关闭停产").unwrap().into()),
    })
}

fn register_employment(on: chrono::NaiveDate) -> JobSeekerCommand {
    JobSeekerCommand::RegisterEmployment(RegisterEmployment {
        started_on: on,
        employer_id: None,
        employer_name: Some(OrganisationName::parse("郑州东站物流中心").unwrap()),
        note: None,
    })
}

fn employment_registered(on: chrono::NaiveDate) -> JobSeekerEvent {
    JobSeekerEvent::EmploymentRegistered(EmploymentRegistered {
        jobseeker_id: jobseeker_id(),
        started_on: on,
        employer_id: None,
        employer_name: Some(OrganisationName::parse("郑州东站物流中心").unwrap()),
        vacancy_id: None,
        referral_id: None,
        note: None,
    })
}

fn placement() -> JobSeekerCommand {
    JobSeekerCommand::RecordPlacement(RecordJobSeekerPlacement {
        referral_id: referral_id(),
        vacancy_id: vacancy_id(),
        employer_id: employer_id(),
        started_on: date(2024, 3, 11),
    })
}

fn placement_recorded() -> JobSeekerEvent {
    JobSeekerEvent::EmploymentRegistered(EmploymentRegistered {
        jobseeker_id: jobseeker_id(),
        started_on: date(2024, 3, 11),
        employer_id: Some(employer_id()),
        employer_name: None,
        vacancy_id: Some(vacancy_id()),
        referral_id: Some(referral_id()),
        note: None,
    })
}

fn update(personal: PersonalDataChanges, profile: ProfileChanges) -> JobSeekerCommand {
    JobSeekerCommand::UpdateProfile(UpdateJobSeekerProfile { personal, profile })
}

#[test]
fn a_job_seeker_is_registered_seeking_work() {
    let jobseeker = given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register_zhang_wei()))
        .then([zhang_wei_registered()]);
    assert_eq!(jobseeker.id, jobseeker_id());
    assert_eq!(jobseeker.status, JobSeekerStatus::Seeking);
    assert_eq!(jobseeker.office, division("410105"));
    assert_eq!(jobseeker.profile, zhang_wei_profile());
    assert_eq!(jobseeker.employment, None);
}

#[test]
fn registering_an_existing_job_seeker_is_refused() {
    given::<JobSeeker>([zhang_wei_registered()])
        .when(JobSeekerCommand::Register(register_zhang_wei()))
        .then_error(JobSeekerError::AlreadyExists);
}

#[test]
fn a_job_seeker_younger_than_sixteen_is_refused() {
    let mut register = register_zhang_wei();
    register.personal.id_number = ResidentId::parse(MINOR_ID_NUMBER).unwrap();
    register.profile = minor_profile();
    register.registered_on = date(2026, 3, 1);
    given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register))
        .then_error(JobSeekerError::UnderMinimumWorkingAge { minimum_age: 16 });
}

#[test]
fn a_job_seeker_turning_sixteen_on_the_day_may_register() {
    let mut register = register_zhang_wei();
    register.personal.id_number = ResidentId::parse(MINOR_ID_NUMBER).unwrap();
    register.profile = minor_profile();
    register.registered_on = date(2026, 3, 2);
    let expected = registered_as_given(&register);
    let jobseeker = given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register))
        .then([expected]);
    assert_eq!(
        jobseeker.personal.known().unwrap().id_number.as_str(),
        MINOR_ID_NUMBER
    );
}

fn minor_profile() -> JobSeekerProfile {
    let mut profile = zhang_wei_profile();
    profile.education = Education::JuniorSecondary;
    profile.major = None;
    profile.graduation_year = None;
    profile.categories = categories(&[JobSeekerCategory::UrbanNewLabour]);
    profile
}

/// The event a valid registration records: the command's data as given.
fn registered_as_given(register: &RegisterJobSeeker) -> JobSeekerEvent {
    JobSeekerEvent::Registered(JobSeekerRegistered {
        jobseeker_id: register.jobseeker_id,
        personal: register.personal.clone().into(),
        profile: register.profile.clone(),
        office: register.office.clone(),
    })
}

#[test]
fn a_graduate_without_higher_education_is_refused() {
    let mut register = register_zhang_wei();
    register.profile.education = Education::SeniorSecondary;
    given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register))
        .then_error(JobSeekerError::CategoryRequiresEducation {
            category: JobSeekerCategory::Graduate,
            minimum: Education::Associate,
        });
}

#[test]
fn a_graduation_year_before_the_age_of_ten_is_refused() {
    let mut register = register_zhang_wei();
    register.profile.graduation_year = Some(GraduationYear::parse(2007).unwrap());
    given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register))
        .then_error(JobSeekerError::GraduationYearImplausible {
            graduation_year: 2007,
            birth_year: 1998,
        });
}

#[test]
fn a_graduation_year_still_ahead_is_accepted() {
    let mut register = register_zhang_wei();
    register.profile.graduation_year = Some(GraduationYear::parse(2025).unwrap());
    let expected = registered_as_given(&register);
    let jobseeker = given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register))
        .then([expected]);
    assert_eq!(
        jobseeker.profile.graduation_year,
        Some(GraduationYear::parse(2025).unwrap())
    );
}

#[test]
fn repeated_skills_and_occupations_are_recorded_once() {
    let mut register = register_zhang_wei();
    register.profile.skills = labels(&["Rust", "SQL", "Rust"]);
    register.profile.desired_occupations = labels(&["软件开发", "软件开发"]);
    let jobseeker = given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register))
        .then([zhang_wei_registered()]);
    assert_eq!(jobseeker.profile.skills, labels(&["Rust", "SQL"]));
}

#[test]
fn too_many_desired_regions_are_refused() {
    let mut register = register_zhang_wei();
    // Eleven counties of Zhengzhou.
    register.profile.desired_regions = [
        "410102", "410103", "410104", "410105", "410106", "410108", "410122", "410181", "410182",
        "410183", "410184",
    ]
    .into_iter()
    .map(division)
    .collect();
    given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register))
        .then_error(JobSeekerError::TooManyItems {
            field: "desired_regions",
            max: 10,
        });
}

#[test]
fn the_state_of_a_job_seeker_prints_personal_data_masked() {
    let jobseeker = given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register_zhang_wei()))
        .then([zhang_wei_registered()]);
    let printed = format!("{jobseeker:?}");
    assert!(printed.contains("410105********1235"), "{printed}");
    assert!(printed.contains("138****8000"), "{printed}");
    assert!(!printed.contains(ZHANG_WEI_ID_NUMBER));
    assert!(!printed.contains("13800138000"));
    assert!(!printed.contains("张伟"));
}

#[test]
fn updating_the_profile_records_only_what_changed() {
    let jobseeker = given::<JobSeeker>([zhang_wei_registered()])
        .when(update(
            PersonalDataChanges {
                name: Some(PersonName::parse("张伟").unwrap()),
                phone: Some(Some(phone("13900139000"))),
            },
            ProfileChanges {
                education: Some(Education::Bachelor),
                skills: Some(labels(&["Rust", "SQL", "Kubernetes"])),
                ..ProfileChanges::default()
            },
        ))
        .then([JobSeekerEvent::ProfileUpdated(JobSeekerProfileUpdated {
            jobseeker_id: jobseeker_id(),
            personal: PersonalDataChanges {
                name: None,
                phone: Some(Some(phone("13900139000"))),
            }
            .into(),
            profile: ProfileChanges {
                skills: Some(labels(&["Rust", "SQL", "Kubernetes"])),
                ..ProfileChanges::default()
            },
        })]);
    assert_eq!(
        jobseeker.personal.known().unwrap().phone,
        Some(phone("13900139000"))
    );
    assert_eq!(
        jobseeker.profile.skills,
        labels(&["Rust", "SQL", "Kubernetes"])
    );
    assert_eq!(jobseeker.profile.education, Education::Bachelor);
}

#[test]
fn an_update_that_changes_nothing_records_nothing() {
    given::<JobSeeker>([zhang_wei_registered()])
        .when(update(
            PersonalDataChanges {
                name: None,
                phone: Some(Some(phone("+86 138 0013 8000"))),
            },
            ProfileChanges {
                skills: Some(labels(&["Rust", "SQL", "SQL"])),
                ..ProfileChanges::default()
            },
        ))
        .then_nothing();
}

#[test]
fn removing_the_phone_is_recorded_as_a_null_phone() {
    let removal = JobSeekerEvent::ProfileUpdated(JobSeekerProfileUpdated {
        jobseeker_id: jobseeker_id(),
        personal: PersonalDataChanges {
            name: None,
            phone: Some(None),
        }
        .into(),
        profile: ProfileChanges::default(),
    });
    let jobseeker = given::<JobSeeker>([zhang_wei_registered()])
        .when(update(
            PersonalDataChanges {
                name: None,
                phone: Some(None),
            },
            ProfileChanges::default(),
        ))
        .then([removal.clone()]);
    assert_eq!(jobseeker.personal.known().unwrap().phone, None);
    let stored: serde_json::Value =
        serde_json::from_slice(&encode(&Event::from(removal)).data).unwrap();
    assert_eq!(
        stored,
        serde_json::json!({
            "jobseeker_id": jobseeker_id().to_string(),
            "personal": {"phone": null}
        })
    );
}

#[test]
fn an_update_that_breaks_a_profile_rule_is_refused() {
    given::<JobSeeker>([zhang_wei_registered()])
        .when(update(
            PersonalDataChanges::default(),
            ProfileChanges {
                education: Some(Education::SeniorSecondary),
                ..ProfileChanges::default()
            },
        ))
        .then_error(JobSeekerError::CategoryRequiresEducation {
            category: JobSeekerCategory::Graduate,
            minimum: Education::Associate,
        });
}

#[test]
fn clearing_the_graduate_category_allows_a_lower_education() {
    let jobseeker = given::<JobSeeker>([zhang_wei_registered()])
        .when(update(
            PersonalDataChanges::default(),
            ProfileChanges {
                education: Some(Education::SeniorSecondary),
                major: Some(None),
                categories: Some(categories(&[JobSeekerCategory::MigrantWorker])),
                ..ProfileChanges::default()
            },
        ))
        .then([JobSeekerEvent::ProfileUpdated(JobSeekerProfileUpdated {
            jobseeker_id: jobseeker_id(),
            personal: PersonalDataChanges::default().into(),
            profile: ProfileChanges {
                education: Some(Education::SeniorSecondary),
                major: Some(None),
                categories: Some(categories(&[JobSeekerCategory::MigrantWorker])),
                ..ProfileChanges::default()
            },
        })]);
    assert_eq!(jobseeker.profile.major, None);
    assert_eq!(jobseeker.profile.education, Education::SeniorSecondary);
}

#[test]
fn updating_an_unknown_job_seeker_is_refused() {
    given::<JobSeeker>([])
        .when(update(
            PersonalDataChanges::default(),
            ProfileChanges::default(),
        ))
        .then_error(JobSeekerError::NotFound);
}

#[test]
fn unemployment_is_registered() {
    let jobseeker = given::<JobSeeker>([zhang_wei_registered()])
        .when(register_unemployment(date(2024, 3, 2)))
        .then([unemployment_registered(date(2024, 3, 2))]);
    assert_eq!(jobseeker.status, JobSeekerStatus::RegisteredUnemployed);
    assert_eq!(jobseeker.unemployed_since, Some(date(2024, 3, 2)));
}

#[test]
fn a_second_unemployment_registration_is_refused() {
    given::<JobSeeker>([
        zhang_wei_registered(),
        unemployment_registered(date(2024, 3, 2)),
    ])
    .when(register_unemployment(date(2024, 4, 1)))
    .then_error(JobSeekerError::AlreadyRegisteredUnemployed);
}

#[test]
fn an_employed_job_seeker_who_loses_the_job_registers_unemployment() {
    let jobseeker = given::<JobSeeker>([
        zhang_wei_registered(),
        employment_registered(date(2024, 3, 5)),
    ])
    .when(register_unemployment(date(2024, 9, 1)))
    .then([unemployment_registered(date(2024, 9, 1))]);
    assert_eq!(jobseeker.status, JobSeekerStatus::RegisteredUnemployed);
    assert_eq!(jobseeker.employment, None);
}

#[test]
fn unemployment_before_the_current_job_started_is_refused() {
    given::<JobSeeker>([
        zhang_wei_registered(),
        employment_registered(date(2024, 3, 5)),
    ])
    .when(register_unemployment(date(2024, 3, 4)))
    .then_error(JobSeekerError::UnemploymentBeforeEmploymentStart);
}

#[test]
fn employment_ends_a_registered_unemployment() {
    let jobseeker = given::<JobSeeker>([
        zhang_wei_registered(),
        unemployment_registered(date(2024, 3, 2)),
    ])
    .when(register_employment(date(2024, 3, 5)))
    .then([employment_registered(date(2024, 3, 5))]);
    assert_eq!(jobseeker.status, JobSeekerStatus::Employed);
    assert_eq!(jobseeker.unemployed_since, None);
    let employment = jobseeker.employment.expect("employed");
    assert_eq!(employment.started_on, date(2024, 3, 5));
    assert_eq!(employment.referral_id, None);
}

#[test]
fn registering_employment_of_an_employed_job_seeker_is_refused() {
    given::<JobSeeker>([
        zhang_wei_registered(),
        employment_registered(date(2024, 3, 5)),
    ])
    .when(register_employment(date(2024, 4, 1)))
    .then_error(JobSeekerError::AlreadyEmployed);
}

#[test]
fn a_placement_registers_employment_through_its_referral() {
    let jobseeker = given::<JobSeeker>([zhang_wei_registered()])
        .when(placement())
        .then([placement_recorded()]);
    assert_eq!(jobseeker.status, JobSeekerStatus::Employed);
    let employment = jobseeker.employment.expect("employed");
    assert_eq!(employment.referral_id, Some(referral_id()));
    assert_eq!(employment.vacancy_id, Some(vacancy_id()));
    assert_eq!(employment.employer_id, Some(employer_id()));
    assert!(jobseeker.placements.contains(&referral_id()));
}

#[test]
fn a_redelivered_placement_records_nothing() {
    given::<JobSeeker>([zhang_wei_registered(), placement_recorded()])
        .when(placement())
        .then_nothing();
}

#[test]
fn a_placement_is_recorded_even_after_employment_registered_by_hand() {
    given::<JobSeeker>([
        zhang_wei_registered(),
        employment_registered(date(2024, 3, 5)),
    ])
    .when(placement())
    .then([placement_recorded()]);
}

#[test]
fn a_placement_for_an_unknown_job_seeker_is_refused() {
    given::<JobSeeker>([])
        .when(placement())
        .then_error(JobSeekerError::NotFound);
}

fn erase() -> JobSeekerCommand {
    JobSeekerCommand::Erase(labex_domain::jobseeker::EraseJobSeeker {
        ground: labex_domain::jobseeker::ErasureGround::ConsentWithdrawn,
        erased_at: at("2026-12-07T02:30:00.125Z"),
    })
}

fn erased() -> JobSeekerEvent {
    JobSeekerEvent::Erased(labex_domain::jobseeker::JobSeekerErased {
        jobseeker_id: jobseeker_id(),
        ground: labex_domain::jobseeker::ErasureGround::ConsentWithdrawn,
        erased_at: at("2026-12-07T02:30:00.125Z"),
    })
}

#[test]
fn an_erased_job_seeker_has_no_personal_data_and_keeps_the_rest() {
    let jobseeker = given::<JobSeeker>([zhang_wei_registered()])
        .when(erase())
        .then([erased()]);
    assert!(jobseeker.personal.is_erased());
    assert_eq!(jobseeker.profile, zhang_wei_profile());
    assert_eq!(jobseeker.office, division("410105"));
    let erasure = jobseeker.erasure.expect("the erasure is recorded");
    assert_eq!(
        erasure.ground,
        labex_domain::jobseeker::ErasureGround::ConsentWithdrawn
    );
    assert!(!format!("{jobseeker:?}").contains("张伟"));
}

#[test]
fn erasing_an_erased_job_seeker_changes_nothing() {
    given::<JobSeeker>([zhang_wei_registered(), erased()])
        .when(erase())
        .then_nothing();
}

#[test]
fn an_erased_job_seeker_is_not_updated_nor_registered_unemployed() {
    given::<JobSeeker>([zhang_wei_registered(), erased()])
        .when(update(
            PersonalDataChanges {
                name: Some(PersonName::parse("李四").unwrap()),
                phone: None,
            },
            ProfileChanges::default(),
        ))
        .then_error(JobSeekerError::Erased);
    given::<JobSeeker>([zhang_wei_registered(), erased()])
        .when(register_unemployment(date(2026, 12, 8)))
        .then_error(JobSeekerError::Erased);
}

#[test]
fn a_hire_of_an_erased_job_seeker_is_still_recorded() {
    let jobseeker = given::<JobSeeker>([zhang_wei_registered(), erased()])
        .when(JobSeekerCommand::RecordPlacement(
            RecordJobSeekerPlacement {
                referral_id: referral_id(),
                vacancy_id: vacancy_id(),
                employer_id: employer_id(),
                started_on: date(2026, 12, 9),
            },
        ))
        .then([JobSeekerEvent::EmploymentRegistered(EmploymentRegistered {
            jobseeker_id: jobseeker_id(),
            started_on: date(2026, 12, 9),
            employer_id: Some(employer_id()),
            employer_name: None,
            vacancy_id: Some(vacancy_id()),
            referral_id: Some(referral_id()),
            note: None,
        })]);
    assert_eq!(jobseeker.status, JobSeekerStatus::Employed);
    assert!(jobseeker.personal.is_erased());
}

#[test]
fn a_registration_whose_key_was_destroyed_folds_without_personal_data() {
    let mut stored: serde_json::Value =
        serde_json::from_slice(&encode(&Event::JobSeeker(zhang_wei_registered())).data).unwrap();
    stored["personal"] = labex_domain::erased_marker();
    let event = labex_domain::decode(
        "JobSeekerRegistered",
        2,
        &serde_json::to_vec(&stored).unwrap(),
    )
    .unwrap();
    let Event::JobSeeker(event) = event else {
        panic!("a job seeker's event")
    };
    let jobseeker = <JobSeeker as labex_domain::Aggregate>::fold([&event]).unwrap();
    assert!(jobseeker.personal.is_erased());
    assert_eq!(jobseeker.profile, zhang_wei_profile());
    // Not erased by an erasure, so no erasure is recorded: the data is
    // just unreadable.
    assert_eq!(jobseeker.erasure, None);
}

#[test]
fn the_personal_fields_of_job_seeker_events_are_declared_with_their_subject() {
    use labex_domain::{DomainEvent, PersonalField};
    let personal = PersonalField {
        field: "personal",
        subject: "jobseeker_id",
    };
    let note = PersonalField {
        field: "note",
        subject: "jobseeker_id",
    };
    assert_eq!(
        JobSeekerEvent::personal_fields("JobSeekerRegistered"),
        &[personal]
    );
    assert_eq!(
        JobSeekerEvent::personal_fields("JobSeekerProfileUpdated"),
        &[personal]
    );
    assert_eq!(
        JobSeekerEvent::personal_fields("UnemploymentRegistered"),
        &[note]
    );
    assert_eq!(
        JobSeekerEvent::personal_fields("EmploymentRegistered"),
        &[note]
    );
    assert!(JobSeekerEvent::personal_fields("JobSeekerErased").is_empty());
    assert_eq!(
        Event::erasure_subject("JobSeekerErased"),
        Some("jobseeker_id")
    );
    assert_eq!(Event::erasure_subject("JobSeekerRegistered"), None);
}

fn code(text: &str) -> OccupationCode {
    OccupationCode::parse(text).expect("a code of the classification")
}

fn codes(texts: &[&str]) -> Vec<OccupationCode> {
    texts.iter().map(|text| code(text)).collect()
}

fn wishing(codes: Vec<OccupationCode>) -> JobSeekerEvent {
    let mut profile = zhang_wei_profile();
    profile.desired_occupation_codes = codes;
    JobSeekerEvent::Registered(JobSeekerRegistered {
        jobseeker_id: jobseeker_id(),
        personal: zhang_wei_personal().into(),
        profile,
        office: division("410105"),
    })
}

fn encoded_json(event: JobSeekerEvent) -> serde_json::Value {
    serde_json::from_slice(&encode(&Event::JobSeeker(event)).data).unwrap()
}

#[test]
fn a_wish_in_occupation_codes_is_recorded_most_wanted_first_and_once() {
    let mut register = register_zhang_wei();
    // 计算机软件工程技术人员, then the medium group of IT services, then the
    // first again.
    register.profile.desired_occupation_codes = codes(&["2-02-10-03", "4-04-00-00", "2-02-10-03"]);
    let jobseeker = given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register))
        .then([wishing(codes(&["2-02-10-03", "4-04-00-00"]))]);
    assert_eq!(
        jobseeker.profile.desired_occupation_codes,
        codes(&["2-02-10-03", "4-04-00-00"])
    );
}

#[test]
fn more_occupation_codes_than_a_wish_holds_are_refused() {
    let mut register = register_zhang_wei();
    register.profile.desired_occupation_codes = codes(&[
        "2-02-10-03",
        "2-02-10-04",
        "4-04-00-00",
        "6-31-01-03",
        "6-18-02-04",
        "4-02-02-02",
    ]);
    given::<JobSeeker>([])
        .when(JobSeekerCommand::Register(register))
        .then_error(JobSeekerError::TooManyItems {
            field: "desired_occupation_codes",
            max: MAX_DESIRED_OCCUPATION_CODES,
        });
}

#[test]
fn an_update_records_the_occupation_codes_only_when_they_change() {
    let update_codes = |texts: &[&str]| {
        update(
            PersonalDataChanges::default(),
            ProfileChanges {
                desired_occupation_codes: Some(codes(texts)),
                ..ProfileChanges::default()
            },
        )
    };
    let changed = |texts: &[&str]| {
        JobSeekerEvent::ProfileUpdated(JobSeekerProfileUpdated {
            jobseeker_id: jobseeker_id(),
            personal: PersonalDataChanges::default().into(),
            profile: ProfileChanges {
                desired_occupation_codes: Some(codes(texts)),
                ..ProfileChanges::default()
            },
        })
    };
    let jobseeker = given::<JobSeeker>([zhang_wei_registered()])
        .when(update_codes(&["6-31-01-03", "6-31-01-03", "6-31-00-00"]))
        .then([changed(&["6-31-01-03", "6-31-00-00"])]);
    assert_eq!(
        jobseeker.profile.desired_occupation_codes,
        codes(&["6-31-01-03", "6-31-00-00"])
    );
    given::<JobSeeker>([zhang_wei_registered(), changed(&["6-31-01-03"])])
        .when(update_codes(&["6-31-01-03"]))
        .then_nothing();
    // Reordered is changed: the first is the most wanted.
    given::<JobSeeker>([
        zhang_wei_registered(),
        changed(&["6-31-01-03", "6-18-02-04"]),
    ])
    .when(update_codes(&["6-18-02-04", "6-31-01-03"]))
    .then([changed(&["6-18-02-04", "6-31-01-03"])]);
    // An empty list clears them.
    let cleared = given::<JobSeeker>([zhang_wei_registered(), changed(&["6-31-01-03"])])
        .when(update_codes(&[]))
        .then([changed(&[])]);
    assert!(cleared.profile.desired_occupation_codes.is_empty());
}

#[test]
fn an_update_past_the_cap_of_occupation_codes_is_refused() {
    given::<JobSeeker>([zhang_wei_registered()])
        .when(update(
            PersonalDataChanges::default(),
            ProfileChanges {
                desired_occupation_codes: Some(codes(&[
                    "2-02-10-03",
                    "2-02-10-04",
                    "4-04-00-00",
                    "6-31-01-03",
                    "6-18-02-04",
                    "4-02-02-02",
                ])),
                ..ProfileChanges::default()
            },
        ))
        .then_error(JobSeekerError::TooManyItems {
            field: "desired_occupation_codes",
            max: MAX_DESIRED_OCCUPATION_CODES,
        });
}

#[test]
fn events_without_occupation_codes_encode_as_before_and_with_them_name_them() {
    let plain = encoded_json(zhang_wei_registered());
    assert!(
        plain["profile"].get("desired_occupation_codes").is_none(),
        "{plain}"
    );
    let coded = encoded_json(wishing(codes(&["6-31-01-03", "6-31-00-00"])));
    assert_eq!(
        coded["profile"]["desired_occupation_codes"],
        serde_json::json!(["6-31-01-03", "6-31-00-00"])
    );
    let update = encoded_json(JobSeekerEvent::ProfileUpdated(JobSeekerProfileUpdated {
        jobseeker_id: jobseeker_id(),
        personal: PersonalDataChanges::default().into(),
        profile: ProfileChanges {
            skills: Some(labels(&["Rust"])),
            ..ProfileChanges::default()
        },
    }));
    assert_eq!(
        update["profile"],
        serde_json::json!({"skills": ["Rust"]}),
        "an update that leaves the codes alone does not name them"
    );
}

#[test]
fn an_event_naming_a_code_the_classification_lacks_does_not_decode() {
    let mut stored = encoded_json(wishing(codes(&["6-31-01-03"])));
    stored["profile"]["desired_occupation_codes"] = serde_json::json!(["6-31-01-99"]);
    let error = labex_domain::decode(
        "JobSeekerRegistered",
        2,
        &serde_json::to_vec(&stored).unwrap(),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("occupational classification"),
        "{error}"
    );
}
