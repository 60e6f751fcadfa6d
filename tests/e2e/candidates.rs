//! What an employer sees of candidates, through the real `labex`: before a
//! referral to its vacancy no name, ID number, phone or category, and only
//! job seekers of the vacancy's region; once referred, the name. And the
//! referral's notes about the person are sealed in the store and the
//! referral lists, and gone with the person's erasure.

use labex_testkit::Tokens;
use serde_json::{Value, json};

use crate::privacy::files_holding;
use crate::support::{Labex, employer, id_number, id_of, jobseeker, vacancy};

fn hits(page: &Value) -> &Vec<Value> {
    page["hits"].as_array().expect("hits")
}

#[tokio::test]
async fn employers_see_candidates_of_their_region_without_personal_data_until_referred() {
    let mut labex = Labex::start().await;
    let district = Tokens::counsellor("410105");
    let city = Tokens::counsellor("410100");
    let province = Tokens::province();
    let employer_id = id_of(
        &labex
            .http
            .post("/v1/employers", Some(&district), &employer(61))
            .await
            .expect(201),
    );
    let vacancy_id = id_of(
        &labex
            .http
            .post("/v1/vacancies", Some(&district), &vacancy(&employer_id, 2))
            .await
            .expect(201),
    );
    // Two people who fit the vacancy: one registered in its district, one
    // in another district of the city.
    let near_name = "诸葛明远";
    let mut near = jobseeker(7_600_041);
    near["name"] = json!(near_name);
    near["phone"] = json!("13700001111");
    near["categories"] = json!(["graduate", "hardship", "disabled"]);
    let near_id = id_of(
        &labex
            .http
            .post("/v1/jobseekers", Some(&district), &near)
            .await
            .expect(201),
    );
    let far_name = "上官清扬";
    let mut far = jobseeker(7_600_042);
    far["name"] = json!(far_name);
    far["office"] = json!("410102");
    let far_id = id_of(
        &labex
            .http
            .post("/v1/jobseekers", Some(&city), &far)
            .await
            .expect(201),
    );
    let candidates = format!("/v1/vacancies/{vacancy_id}/candidates");
    let staff_view = labex
        .eventually(&candidates, &province, |page| page["total"] == 2)
        .await;
    assert!(staff_view.to_string().contains(near_name), "{staff_view}");

    let own = Tokens::employer(labex_testkit::employer_id(&employer_id), "410105");
    let before = labex.http.get(&candidates, Some(&own)).await.expect(200);
    assert_eq!(hits(&before.body).len(), 1, "{}", before.text);
    let hit = &hits(&before.body)[0];
    let handle = hit["id"].as_str().expect("a handle");
    assert!(handle.starts_with("candidate-"), "{hit}");
    assert_eq!(hit["name"], Value::Null, "{hit}");
    for secret in [
        near_name,
        far_name,
        near_id.as_str(),
        far_id.as_str(),
        &id_number(7_600_041),
        &id_number(7_600_041)[14..],
        "13700001111",
        "hardship",
        "disabled",
        "graduate",
    ] {
        assert!(
            !before.text.contains(secret),
            "{secret} shown to the employer: {}",
            before.text
        );
    }
    // The same handle in every list of this employer.
    let again = labex.http.get(&candidates, Some(&own)).await.expect(200);
    assert_eq!(hits(&again.body)[0]["id"], handle);

    // Referred to its vacancy, with a note about the person: the employer
    // sees the name of that candidate.
    let note = format!("{near_name}面试沟通顺利，右手旧伤不影响操作");
    let referral_id = id_of(
        &labex
            .http
            .post(
                "/v1/referrals",
                Some(&district),
                &json!({"jobseeker_id": near_id, "vacancy_id": vacancy_id, "note": note}),
            )
            .await
            .expect(201),
    );
    let after = labex.http.get(&candidates, Some(&own)).await.expect(200);
    let hit = &hits(&after.body)[0];
    assert_eq!(hit["id"], near_id.as_str(), "{}", after.text);
    assert_eq!(hit["name"], near_name, "{}", after.text);
    assert!(!after.text.contains("hardship"), "{}", after.text);
    assert!(!after.text.contains(far_name), "{}", after.text);

    // The note reads back for staff and the employer, in the referral and
    // in the lists, and is nowhere in plaintext under the data folder.
    let referral = format!("/v1/referrals/{referral_id}");
    let read = labex.http.get(&referral, Some(&district)).await.expect(200);
    assert_eq!(read.body["note"], note.as_str());
    let list = format!("/v1/referrals?vacancy={vacancy_id}");
    labex
        .eventually(&list, &own, |page| {
            page["items"][0]["note"] == note.as_str()
        })
        .await;
    labex
        .http
        .post(
            &format!("{referral}/outcome"),
            Some(&district),
            &json!({"outcome": "rejected", "date": labex_testkit::china_today(), "note": format!("{near_name}薪资期望不符")}),
        )
        .await
        .expect(200);
    labex
        .eventually(&list, &district, |page| {
            page["items"][0]["outcome"]["note"].as_str().is_some()
        })
        .await;
    labex.stop();
    assert_eq!(
        files_holding(labex.data.path(), "右手旧伤".as_bytes()),
        Vec::<String>::new()
    );
    assert_eq!(
        files_holding(labex.data.path(), "薪资期望".as_bytes()),
        Vec::<String>::new()
    );
    labex.respawn();

    // Erased: the notes are gone with the person's key, in the referral
    // and in the lists.
    let admin = Tokens::issue(labex_web::Role::OfficeAdmin, "410100", None);
    labex
        .http
        .post(
            &format!("/v1/jobseekers/{near_id}/erasure"),
            Some(&admin),
            &json!({"ground": "consent_withdrawn"}),
        )
        .await
        .expect(200);
    let read = labex.http.get(&referral, Some(&district)).await.expect(200);
    assert_eq!(read.body["note"], Value::Null, "{}", read.text);
    assert_eq!(read.body["outcome"]["note"], Value::Null, "{}", read.text);
    assert_eq!(read.body["outcome"]["outcome"], "rejected");
    let listed = labex.http.get(&list, Some(&district)).await.expect(200);
    assert_eq!(
        listed.body["items"][0]["note"],
        Value::Null,
        "{}",
        listed.text
    );
    assert_eq!(
        listed.body["items"][0]["outcome"]["note"],
        Value::Null,
        "{}",
        listed.text
    );
}
