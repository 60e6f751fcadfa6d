//! Zero-employment households on one `labex`: a household declared and
//! verified, a member referred and hired — the household is cleared
//! without anyone touching it —, the member registered unemployed again —
//! it is registered again —, and the register as CSV; an internship to
//! its retention by the host; a public-welfare placement to its exit.

use labex_testkit::Tokens;
use serde_json::json;

use crate::support::{Labex, employer, id_of, jobseeker, vacancy};

#[tokio::test]
async fn a_household_is_cleared_by_a_members_hire_and_registered_again_by_their_unemployment() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;

    let father = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(31))
            .await
            .expect(201),
    );
    let mother = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(32))
            .await
            .expect(201),
    );
    let declared = http
        .post(
            "/v1/households",
            Some(&counsellor),
            &json!({
                "office": "410105",
                "address": "金水区经三路 8 号院 2 号楼 502",
                "members": [father, mother],
            }),
        )
        .await
        .expect(201);
    let household = id_of(&declared);
    http.post(
        &format!("/v1/households/{household}/verification"),
        Some(&counsellor),
        &json!({"decision": "verified", "note": "入户核实，二人均未就业"}),
    )
    .await
    .expect(200);

    let employer_id = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(31))
            .await
            .expect(201),
    );
    let vacancy_id = id_of(
        &http
            .post(
                "/v1/vacancies",
                Some(&counsellor),
                &vacancy(&employer_id, 1),
            )
            .await
            .expect(201),
    );
    let referral = id_of(
        &http
            .post(
                "/v1/referrals",
                Some(&counsellor),
                &json!({"jobseeker_id": father, "vacancy_id": vacancy_id}),
            )
            .await
            .expect(201),
    );
    let today = labex_testkit::china_today();
    let outcome = http
        .post(
            &format!("/v1/referrals/{referral}/outcome"),
            Some(&counsellor),
            &json!({"outcome": "hired", "date": today}),
        )
        .await
        .expect(200);
    assert_eq!(outcome.body["outcome"]["outcome"], "hired");

    let cleared = labex
        .eventually(
            &format!("/v1/households/{household}"),
            &counsellor,
            |body| body["status"] == "cleared",
        )
        .await;
    assert_eq!(cleared["last_change"]["jobseeker_id"], father.as_str());
    assert_eq!(cleared["last_change"]["on"], today.as_str());
    assert!(
        ["ReferralOutcomeRecorded", "EmploymentRegistered"]
            .contains(&cleared["last_change"]["cause_event_type"].as_str().unwrap()),
        "{cleared}"
    );
    // The referral made for the member counts as a job referral on the
    // household's assistance, by itself.
    let helped = labex
        .eventually(
            &format!("/v1/households/{household}"),
            &counsellor,
            |body| body["measures_delivered"]["job_referral"] == 1,
        )
        .await;
    assert_eq!(helped["measures_delivered"], json!({"job_referral": 1}));
    // The job seeker's employment the placement recorded is there too.
    labex
        .eventually(&format!("/v1/jobseekers/{father}"), &counsellor, |body| {
            body["status"] == "employed"
        })
        .await;

    http.post(
        &format!("/v1/jobseekers/{father}/unemployment"),
        Some(&counsellor),
        &json!({"note": "合同到期"}),
    )
    .await
    .expect(200);
    let again = labex
        .eventually(
            &format!("/v1/households/{household}"),
            &counsellor,
            |body| body["status"] == "registered",
        )
        .await;
    assert_eq!(
        again["last_change"]["cause_event_type"],
        "UnemploymentRegistered"
    );
    assert_eq!(again["employed_members"], json!([]));

    labex
        .eventually(
            "/v1/households?office=410105&status=registered",
            &counsellor,
            |body| {
                body["items"][0]["id"] == household.as_str()
                    && body["items"][0]["last_change"]["cause_event_type"]
                        == "UnemploymentRegistered"
            },
        )
        .await;
    let csv = http
        .send(
            reqwest::Method::GET,
            "/v1/households?office=410105",
            Some(&counsellor),
            None,
            &[("accept", "text/csv")],
        )
        .await
        .expect(200);
    let lines: Vec<&str> = csv.text.split("\r\n").collect();
    assert!(lines[0].starts_with("\u{feff}家庭编号,经办机构,状态,家庭住址"));
    assert!(
        lines[1].starts_with(&format!(
            "{household},410105,登记在册,金水区经三路 8 号院 2 号楼 502,"
        )),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("UnemploymentRegistered"));
}

/// A referral of `person` to `vacancy` ending in a hire today; the day.
async fn hire(labex: &Labex, token: &str, person: &str, vacancy: &str) -> String {
    let referral = id_of(
        &labex
            .http
            .post(
                "/v1/referrals",
                Some(token),
                &json!({"jobseeker_id": person, "vacancy_id": vacancy}),
            )
            .await
            .expect(201),
    );
    let today = labex_testkit::china_today();
    labex
        .http
        .post(
            &format!("/v1/referrals/{referral}/outcome"),
            Some(token),
            &json!({"outcome": "hired", "date": today}),
        )
        .await
        .expect(200);
    today
}

#[tokio::test]
async fn an_internship_runs_to_completion_and_the_hosts_hire_retains_the_intern() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;
    let graduate = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(41))
            .await
            .expect(201),
    );
    let host = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(41))
            .await
            .expect(201),
    );
    let agreed = http
        .post(
            "/v1/internships",
            Some(&counsellor),
            &json!({"jobseeker_id": graduate, "employer_id": host, "months": 6,
                    "monthly_subsidy_fen": 150_000, "tutor": "王建国"}),
        )
        .await
        .expect(201);
    let internship = id_of(&agreed);
    assert_eq!(agreed.body["status"], "agreed");
    // Bad input writes nothing: months outside the office's range, no
    // monthly subsidy.
    let internship_events = labex.events(Some("internship-")).await;
    http.post(
        "/v1/internships",
        Some(&counsellor),
        &json!({"jobseeker_id": graduate, "employer_id": host, "months": 30,
                "monthly_subsidy_fen": 150_000, "tutor": "王建国"}),
    )
    .await
    .expect_problem(422, "months_out_of_range");
    let refused = http
        .post(
            "/v1/internships",
            Some(&counsellor),
            &json!({"jobseeker_id": graduate, "employer_id": host, "months": 6,
                    "monthly_subsidy_fen": 0, "tutor": "王建国"}),
        )
        .await
        .expect_problem(422, "subsidy_not_positive");
    assert_eq!(refused.body["errors"][0]["field"], "monthly_subsidy_fen");
    assert_eq!(labex.events(Some("internship-")).await, internship_events);

    // Started six months ago (the API takes a past day), so that its
    // months are over today.
    let today = labex_testkit::china_today();
    let today_date: chrono::NaiveDate = today.parse().expect("a day");
    let start_date = today_date
        .checked_sub_months(chrono::Months::new(6))
        .expect("a day six months ago");
    let start = start_date.to_string();
    let month = &start[..7];
    let started = http
        .post(
            &format!("/v1/internships/{internship}/start"),
            Some(&counsellor),
            &json!({"on": start}),
        )
        .await
        .expect(200);
    assert_eq!(started.body["status"], "started");
    // A step the status does not take is a conflict.
    http.post(
        &format!("/v1/internships/{internship}/start"),
        Some(&counsellor),
        &json!({"on": today}),
    )
    .await
    .expect(409);
    let attended = http
        .post(
            &format!("/v1/internships/{internship}/attendance"),
            Some(&counsellor),
            &json!({"month": month, "days_attended": 20, "working_days": 22}),
        )
        .await
        .expect(200);
    // The subsidy owed follows the days: 150,000 fen × 20 / 22.
    assert_eq!(attended.body["subsidy_owed_fen"], 136_363);
    // A month past its six is not the internship's.
    let seventh = start_date
        .checked_add_months(chrono::Months::new(6))
        .expect("a month")
        .to_string();
    http.post(
        &format!("/v1/internships/{internship}/attendance"),
        Some(&counsellor),
        &json!({"month": &seventh[..7], "days_attended": 20, "working_days": 22}),
    )
    .await
    .expect_problem(422, "month_outside_internship");
    // Completed before its months are over: refused, an early end is
    // `end` with a reason.
    http.post(
        &format!("/v1/internships/{internship}/completion"),
        Some(&counsellor),
        &json!({"on": start_date.succ_opt().expect("a day").to_string()}),
    )
    .await
    .expect_problem(422, "internship_completed_too_early");
    let completed = http
        .post(
            &format!("/v1/internships/{internship}/completion"),
            Some(&counsellor),
            &json!({"on": today}),
        )
        .await
        .expect(200);
    assert_eq!(completed.body["status"], "completed");

    // The host hires the intern: the internship is retained by the
    // process, naming the event that caused it.
    let vacancy_id = id_of(
        &http
            .post("/v1/vacancies", Some(&counsellor), &vacancy(&host, 1))
            .await
            .expect(201),
    );
    let hired_on = hire(&labex, &counsellor, &graduate, &vacancy_id).await;
    let retained = labex
        .eventually(
            &format!("/v1/internships/{internship}"),
            &counsellor,
            |body| !body["retained_on"].is_null(),
        )
        .await;
    assert_eq!(retained["retained_on"], hired_on.as_str());
    assert!(
        retained["retention_cause_event_id"].is_string(),
        "{retained}"
    );

    // A second intern at the same host leaves early.
    let leaver = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(42))
            .await
            .expect(201),
    );
    let second = id_of(
        &http
            .post(
                "/v1/internships",
                Some(&counsellor),
                &json!({"jobseeker_id": leaver, "employer_id": host, "months": 3,
                        "monthly_subsidy_fen": 120_000, "tutor": "王建国"}),
            )
            .await
            .expect(201),
    );
    http.post(
        &format!("/v1/internships/{second}/start"),
        Some(&counsellor),
        &json!({"on": today}),
    )
    .await
    .expect(200);
    let ended = http
        .post(
            &format!("/v1/internships/{second}/end"),
            Some(&counsellor),
            &json!({"reason": "考取研究生", "on": today}),
        )
        .await
        .expect(200);
    assert_eq!(ended.body["status"], "ended_early");

    let rates = labex
        .eventually(
            &format!("/v1/internships/hosts/{host}"),
            &counsellor,
            |body| body["interns"] == 2 && body["ended_early"] == 1,
        )
        .await;
    assert_eq!(rates["employer_id"], host.as_str());
    assert_eq!(rates["interns"], 2, "{rates}");
    assert_eq!(rates["completed"], 1, "{rates}");
    assert_eq!(rates["ended_early"], 1, "{rates}");
    assert_eq!(rates["retained"], 1, "{rates}");
    assert_eq!(rates["completion_rate"], 0.5, "{rates}");
    assert_eq!(rates["retention_rate"], 0.5, "{rates}");
}

#[tokio::test]
async fn a_hire_into_a_public_welfare_post_is_a_placement_until_its_exit() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;
    let mut person = jobseeker(42);
    person["categories"] = json!(["hardship"]);
    let person = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &person)
            .await
            .expect(201),
    );
    let employer_id = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(42))
            .await
            .expect(201),
    );
    let mut post = vacancy(&employer_id, 1);
    post["public_welfare"] = json!(true);
    post["title"] = json!("社区保洁员");
    post["welcomes"] = json!(["hardship"]);
    let post = id_of(
        &http
            .post("/v1/vacancies", Some(&counsellor), &post)
            .await
            .expect(201),
    );
    let hired_on = hire(&labex, &counsellor, &person, &post).await;

    let listed = labex
        .eventually(
            "/v1/welfare-placements?office=410105",
            &counsellor,
            |body| body["items"][0]["jobseeker_id"] == person.as_str(),
        )
        .await;
    let placement = listed["items"][0]["id"]
        .as_str()
        .expect("a placement id")
        .to_owned();
    let placed = http
        .get(
            &format!("/v1/welfare-placements/{placement}"),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(placed.body["status"], "active");
    assert_eq!(placed.body["started_on"], hired_on.as_str());
    assert_eq!(placed.body["vacancy_id"], post.as_str());

    let ended = http
        .post(
            &format!("/v1/welfare-placements/{placement}/exit"),
            Some(&counsellor),
            &json!({"reason": "moved_to_regular_job", "note": "转入正式岗位"}),
        )
        .await
        .expect(200);
    assert_eq!(ended.body["status"], "moved_to_regular_job");
    // Ended once: a second exit is refused and changes nothing.
    http.post(
        &format!("/v1/welfare-placements/{placement}/exit"),
        Some(&counsellor),
        &json!({"reason": "ended"}),
    )
    .await
    .expect(409);
    let after = http
        .get(
            &format!("/v1/welfare-placements/{placement}"),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(after.body["status"], "moved_to_regular_job");
    assert_eq!(after.body["revision"], ended.body["revision"]);
}

#[tokio::test]
async fn the_assistance_paths_are_in_labexs_one_api_document() {
    let labex = Labex::start().await;
    let document = labex.http.get("/openapi.json", None).await.expect(200);
    for path in [
        "/v1/households",
        "/v1/households/{id}",
        "/v1/households/counts",
        "/v1/households/{id}/verification",
        "/v1/households/{id}/plan",
        "/v1/households/{id}/contacts",
        "/v1/households/{id}/exit",
        "/v1/assistance/overdue",
        "/v1/welfare-placements",
        "/v1/welfare-placements/{id}",
        "/v1/welfare-placements/{id}/exit",
        "/v1/internships",
        "/v1/internships/{id}",
        "/v1/internships/{id}/{step}",
        "/v1/internships/hosts/{employer_id}",
    ] {
        assert!(
            document.body["paths"].get(path).is_some(),
            "{path} is documented"
        );
    }
    let register = &document.body["paths"]["/v1/households"]["get"]["parameters"];
    assert!(
        register
            .as_array()
            .expect("parameters")
            .iter()
            .any(|parameter| parameter["name"] == "as_of"),
        "{register}"
    );
}
