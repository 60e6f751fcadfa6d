//! Labex as separate processes on loopback, as `deploy/` runs it: one
//! `labex-store` and each service's own binary with its own data folder
//! and HTTP port, sharing nothing but the store and the token secret.

use labex_testkit::{Http, Process, SECRET, Tokens, binary, temporary_folder};

use crate::support::{Placement, place};

fn service(name: &str, store: &str, data: &tempfile::TempDir, keys: &tempfile::TempDir) -> Process {
    Process::start(
        &binary(&format!("labex-{name}")),
        &[],
        &[
            ("LABEX_DATA", data.path().to_str().expect("a UTF-8 path")),
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE", store),
            ("LABEX_JWT_SECRET", SECRET),
            // The key table every process reading personal data shares
            // (decision 050).
            ("LABEX_KEYS", keys.path().to_str().expect("a UTF-8 path")),
            ("LABEX_LOG", "warn"),
        ],
    )
}

#[tokio::test]
async fn the_services_run_as_separate_processes_against_one_store() {
    let store_data = temporary_folder("labex-e2e-store-");
    let store = Process::start(
        &binary("labex-store"),
        &[
            "--data",
            store_data.path().to_str().expect("a UTF-8 path"),
            "--listen",
            "127.0.0.1:0",
            "--log",
            "warn",
        ],
        &[],
    );
    let url = format!("esdb://{}?tls=false&discoveryInterval=10", store.address());
    let folders: Vec<_> = (0..4)
        .map(|_| temporary_folder("labex-e2e-service-"))
        .collect();
    let keys = temporary_folder("labex-e2e-keys-");
    let jobseekers = service("jobseekers", &url, &folders[0], &keys);
    let employers = service("employers", &url, &folders[1], &keys);
    let referrals = service("referrals", &url, &folders[2], &keys);
    let matching = service("matching", &url, &folders[3], &keys);
    let matching_http = Http::new(matching.base_url());
    let (jobseekers_http, employers_http, referrals_http) = (
        Http::new(jobseekers.base_url()),
        Http::new(employers.base_url()),
        Http::new(referrals.base_url()),
    );
    let counsellor = Tokens::counsellor("410105");

    let Placement {
        vacancy: vacancy_id,
        jobseeker: jobseeker_id,
        ..
    } = place(&employers_http, &jobseekers_http, &referrals_http, 21).await;

    // The placement process runs in the referrals service; its effects are
    // read from the services that own them.
    let mut employed = false;
    let mut filled = false;
    for _ in 0..200 {
        let seeker = jobseekers_http
            .get(&format!("/v1/jobseekers/{jobseeker_id}"), Some(&counsellor))
            .await
            .expect(200);
        let vacancy = employers_http
            .get(&format!("/v1/vacancies/{vacancy_id}"), Some(&counsellor))
            .await
            .expect(200);
        employed = seeker.body["status"] == "employed";
        filled = vacancy.body["status"] == "filled";
        if employed && filled {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        employed && filled,
        "the hire reached the job seeker and the vacancy"
    );

    // Each service serves only its own routes.
    jobseekers_http
        .get(&format!("/v1/vacancies/{vacancy_id}"), None)
        .await
        .expect_problem(404, "not_found");
    for http in [
        &jobseekers_http,
        &employers_http,
        &referrals_http,
        &matching_http,
    ] {
        http.get("/readyz", None).await.expect(200);
    }
    for process in [jobseekers, employers, referrals, matching, store] {
        let status = process.stop();
        assert!(status.success(), "a clean stop on SIGTERM: {status:?}");
    }
}
