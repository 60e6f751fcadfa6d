//! Zero-employment households on one `labex`: a household declared and
//! verified, a member referred and hired — the household is cleared
//! without anyone touching it —, the member registered unemployed again —
//! it is registered again —, and the register as CSV.

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
