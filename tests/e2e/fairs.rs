//! A job fair on one `labex`, across contexts: an organiser announces an
//! on-site fair, an employer exhibits with its vacancy and the organiser
//! publishes another for it, a search of the fair finds only the fair's
//! vacancies, a job seeker registers and checks in, a referral naming the
//! fair ends in a hire, and the fair's results count it.

use labex_testkit::{Tokens, china_today};
use labex_web::Role;
use serde_json::json;

use crate::support::{Labex, employer, id_of, jobseeker, vacancy};

#[tokio::test]
async fn a_fair_from_announcement_to_a_hire_counted_in_its_results() {
    let labex = Labex::start().await;
    let http = &labex.http;
    let counsellor = Tokens::counsellor("410105");
    let organiser = Tokens::issue(Role::Organiser, "410100", None);

    // An organiser of the city announces a fair that opens in half an
    // hour: the door is already open for check-in.
    let now = chrono::Utc::now();
    let fair = http
        .post(
            "/v1/fairs",
            Some(&organiser),
            &json!({
                "title": "2026届高校毕业生专场招聘会",
                "kind": "onsite",
                "audience": ["graduate"],
                "region": "410105",
                "venue": "郑州市人力资源市场三楼大厅",
                "starts_at": (now + chrono::Duration::minutes(30)).to_rfc3339(),
                "ends_at": (now + chrono::Duration::hours(8)).to_rfc3339(),
                "capacity": 200,
                "campaign": "高校毕业生就业服务月"
            }),
        )
        .await
        .expect(201);
    let fair_id = id_of(&fair);

    // An employer and two vacancies: one it brings, one it does not.
    let registered = http
        .post("/v1/employers", Some(&counsellor), &employer(1))
        .await
        .expect(201);
    let employer_id = id_of(&registered);
    let brought = http
        .post(
            "/v1/vacancies",
            Some(&counsellor),
            &vacancy(&employer_id, 1),
        )
        .await
        .expect(201);
    let brought_id = id_of(&brought);
    let elsewhere = http
        .post(
            "/v1/vacancies",
            Some(&counsellor),
            &vacancy(&employer_id, 2),
        )
        .await
        .expect(201);
    let elsewhere_id = id_of(&elsewhere);
    let own = Tokens::employer(labex_testkit::employer_id(&employer_id), "410105");
    let exhibiting = http
        .post(
            &format!("/v1/fairs/{fair_id}/exhibitors"),
            Some(&own),
            &json!({"employer_id": employer_id, "vacancy_ids": [brought_id]}),
        )
        .await
        .expect(200);
    assert_eq!(exhibiting.body["counts"]["exhibitors"], 1);
    // The organiser publishes a hiring need the market collected for it.
    let mut collected = vacancy(&employer_id, 3);
    collected["title"] = json!("设备维修电工");
    let more = http
        .post(
            &format!("/v1/fairs/{fair_id}/exhibitors"),
            Some(&organiser),
            &json!({"employer_id": employer_id, "new_vacancies": [collected]}),
        )
        .await
        .expect(200);
    assert_eq!(more.body["counts"]["vacancies"], 2, "{}", more.text);

    // A search of the fair finds its two vacancies, and the other filters
    // still apply.
    let search = format!("/v1/vacancies/search?fair={fair_id}");
    let found = labex
        .eventually(&search, &counsellor, |body| body["total"] == 2)
        .await;
    let ids: Vec<&str> = found["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|hit| hit["id"].as_str())
        .collect();
    assert!(ids.contains(&brought_id.as_str()));
    assert!(!ids.contains(&elsewhere_id.as_str()));
    let narrowed = http
        .get(&format!("{search}&q=维修"), None)
        .await
        .expect(200);
    assert_eq!(narrowed.body["total"], 1, "{}", narrowed.text);
    http.get("/v1/vacancies/search?fair=nope", None)
        .await
        .expect_problem(400, "invalid_query");

    // A graduate registers and checks in at the door.
    let seeker = http
        .post("/v1/jobseekers", Some(&counsellor), &jobseeker(1))
        .await
        .expect(201);
    let jobseeker_id = id_of(&seeker);
    let registration = http
        .post(
            &format!("/v1/fairs/{fair_id}/registrations"),
            Some(&organiser),
            &json!({"jobseeker_id": jobseeker_id}),
        )
        .await
        .expect(201);
    assert_eq!(registration.body["place"], "confirmed");
    let checked_in = http
        .post(
            &format!("/v1/fairs/{fair_id}/attendance"),
            Some(&organiser),
            &json!({"jobseeker_id": jobseeker_id}),
        )
        .await
        .expect(200);
    assert!(
        checked_in.body["checked_in_at"].is_string(),
        "{}",
        checked_in.text
    );

    // A counsellor refers the graduate from the fair, and the employer
    // hires.
    let referral = http
        .post(
            "/v1/referrals",
            Some(&counsellor),
            &json!({"jobseeker_id": jobseeker_id, "vacancy_id": brought_id, "fair_id": fair_id}),
        )
        .await
        .expect(201);
    assert_eq!(referral.body["fair_id"], fair_id.as_str());
    let referral_id = id_of(&referral);
    http.post(
        &format!("/v1/referrals/{referral_id}/outcome"),
        Some(&counsellor),
        &json!({"outcome": "hired", "date": china_today()}),
    )
    .await
    .expect(200);

    // The results count the referral and the hire in both periods.
    let results = labex
        .eventually(
            &format!("/v1/fairs/{fair_id}/results"),
            &organiser,
            |body| body["hires"][0]["hires"] == 1,
        )
        .await;
    assert_eq!(results["referrals"], 1);
    assert_eq!(results["counts"]["checked_in"], 1);
    assert_eq!(
        results["hires"],
        json!([{"within_days": 30, "hires": 1}, {"within_days": 90, "hires": 1}])
    );
    let row = &results["exhibitors"][0];
    assert_eq!(row["employer_id"], employer_id.as_str());
    assert_eq!(row["name"], "郑州智能装备有限公司");
    assert_eq!(row["vacancies"], 2);
    assert_eq!(row["referrals"], 1);
    // The job seeker sees nothing of the results; the calendar is public.
    let seeker_token = Tokens::issue(Role::Jobseeker, "410105", None);
    http.get(&format!("/v1/fairs/{fair_id}/results"), Some(&seeker_token))
        .await
        .expect_problem(403, "forbidden");
    let calendar = http
        .get("/v1/fairs?region=410100&audience=graduate", None)
        .await
        .expect(200);
    assert_eq!(calendar.body["items"][0]["id"], fair_id.as_str());
}
