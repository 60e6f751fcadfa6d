//! Monitoring end to end on one `labex`: an employer registered and
//! followed by a monitoring point, a layoff plan declared mandatory, a
//! month's report of the enterprise stopped, and the county's warning
//! raised — in `GET /v1/warnings`, in the feed, in the monthly report and
//! on the dashboard, which headless Chromium loads and draws, with the
//! zero-employment household declared last month in its register table.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use labex_testkit::{Tokens, china_today};
use serde_json::{Value, json};

use crate::support::{Labex, employer, id_of, jobseeker};

/// Last month, `YYYY-MM`, in China.
fn last_month() -> String {
    let today = china_today();
    let (year, month) = (&today[0..4], &today[5..7]);
    let (year, month): (i32, u32) = (year.parse().unwrap(), month.parse().unwrap());
    if month == 1 {
        format!("{:04}-12", year - 1)
    } else {
        format!("{year:04}-{:02}", month - 1)
    }
}

/// A day `days` after today, `YYYY-MM-DD`.
fn days_ahead(days: i64) -> String {
    let today = chrono::NaiveDate::parse_from_str(&china_today(), "%Y-%m-%d").unwrap();
    (today + chrono::Duration::days(days)).to_string()
}

#[tokio::test]
async fn a_mandatory_layoff_plan_and_a_stopped_enterprise_raise_the_countys_warning() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;
    let employer_id = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(71))
            .await
            .expect(201),
    );
    http.post(
        "/v1/monitoring/points",
        Some(&counsellor),
        &json!({"kind": "community_platform", "name": "文化路街道劳动保障平台", "region": "410105", "employers": [employer_id]}),
    )
    .await
    .expect(201);

    let period = last_month();
    // A zero-employment household declared last month, verified now: at
    // last month's end it awaits verification.
    let member = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(72))
            .await
            .expect(201),
    );
    let household = id_of(
        &http
            .post(
                "/v1/households",
                Some(&counsellor),
                &json!({"office": "410105", "address": "金水区文化路 12 号院 3 号楼 201",
                        "members": [member], "declared_on": format!("{period}-02")}),
            )
            .await
            .expect(201),
    );
    http.post(
        &format!("/v1/households/{household}/verification"),
        Some(&counsellor),
        &json!({"decision": "verified"}),
    )
    .await
    .expect(200);
    let missing = http
        .get(
            &format!("/v1/monitoring/missing?region=410105&period={period}"),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(missing.body["total"], 1);

    http.post(
        "/v1/monitoring/reports",
        Some(&counsellor),
        &json!({"employer_id": employer_id, "period": period, "headcount": 580, "hires": 0,
                "separations": {"quits": 20}, "state": "stopped"}),
    )
    .await
    .expect(201);

    let warnings = labex
        .eventually("/v1/warnings?region=410105", &counsellor, |body| {
            body["level"] == "blue"
        })
        .await;
    assert_eq!(
        warnings["items"][0]["rule"]["id"],
        "closures_and_stoppages_seen"
    );
    assert_eq!(
        warnings["items"][0]["indicators"]["enterprise_stoppages"],
        1
    );
    // The plan after the stoppage: a mandatory plan raises blue on its own
    // too, and the warning names the rule of the change that raised it.
    let plan = http
        .post(
            "/v1/layoff-plans",
            Some(&counsellor),
            &json!({"employer_id": employer_id, "workforce": 600, "planned": 120,
                    "reasons": "订单减少", "planned_from": days_ahead(45), "measures": "依法补偿，推荐再就业"}),
        )
        .await
        .expect(201);
    assert_eq!(plan.body["mandatory"], true);
    assert_eq!(plan.body["late"], false);
    let city = labex
        .eventually(
            "/v1/warnings?region=410100",
            &counsellor_of_city(),
            |body| body["level"] == "blue",
        )
        .await;
    assert!(city["items"].as_array().unwrap().len() >= 2);

    let feed = http
        .get("/v1/warnings/feed?region=410105", Some(&counsellor))
        .await
        .expect(200);
    let line: Value = serde_json::from_str(feed.text.lines().next().expect("a change")).unwrap();
    assert_eq!(line["change"]["to"], "blue");
    assert_eq!(line["change"]["region"], "410105");

    let report = http
        .get(
            &format!("/v1/reports/monthly?region=410105&period={period}"),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(report.body["figures"]["enterprise_stoppages"], 1);
    assert_eq!(report.body["figures"]["reports_missing"], 0);
    assert_eq!(report.body["warning_level"], "blue");
    assert_eq!(report.body["figures"]["households_declared"], 1);
    assert_eq!(report.body["figures"]["households_registered"], 0);

    dashboard_draws_the_apis_numbers(&labex, &counsellor, &period, &report.body).await;
}

fn counsellor_of_city() -> String {
    Tokens::counsellor("410100")
}

/// The dashboard loads in headless Chromium with the token, its charts are
/// drawn, and the figures it shows are the API's; a screenshot is kept
/// under the target folder.
async fn dashboard_draws_the_apis_numbers(
    labex: &Labex,
    token: &str,
    period: &str,
    report: &Value,
) {
    let url = format!(
        "{}/dashboard?region=410105&period={period}&token={token}",
        labex.process_url()
    );
    let page = labex
        .http
        .get(
            &format!("/dashboard?region=410105&period={period}"),
            Some(token),
        )
        .await
        .expect(200);
    assert!(
        page.text.contains("<svg"),
        "the page draws its charts server-side"
    );
    let chromium = chromium().or_else(install_chromium).expect(
        "the dashboard's browser check needs Chromium: Debian's chromium package could not be installed (run apt-get install chromium as root)",
    );
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    std::fs::create_dir_all(&folder).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let dom = run_chromium(&chromium, profile.path(), &["--dump-dom", &url]);
    let charts = dom.matches("<svg class=\"chart\"").count();
    assert_eq!(charts, 4, "four charts in the DOM Chromium built");
    assert!(dom.contains("<polyline"), "each chart draws its line");
    for (name, value) in report["figures"].as_object().unwrap() {
        let cell = format!("<td data-figure=\"{name}\">{value}</td>");
        assert!(
            dom.contains(&cell),
            "the dashboard shows {name} = {value} as the API does"
        );
    }
    assert!(dom.contains("data-level=\"blue\""));
    // The household register by state: a table of the API's numbers, and
    // the same numbers as bars.
    let states = [
        "households_declared",
        "households_rejected",
        "households_registered",
        "households_cleared",
        "households_stabilised",
        "households_exited",
        "households_cleared_in_month",
    ];
    for name in states {
        let value = &report["figures"][name];
        assert!(value.is_i64(), "the report has {name}");
        assert!(
            dom.contains(&format!("<td data-household=\"{name}\">{value}</td>")),
            "the household table shows {name} = {value} as the API does"
        );
        assert!(
            dom.contains(&format!(
                "data-figure-bar=\"{name}\" data-value=\"{value}\""
            )),
            "the household chart draws {name} = {value}"
        );
    }
    assert_eq!(
        dom.matches("<svg class=\"bars\"").count(),
        1,
        "one bar chart"
    );
    let screenshot = folder.join("dashboard.png");
    let _ = std::fs::remove_file(&screenshot);
    let arg = format!("--screenshot={}", screenshot.display());
    run_chromium(
        &chromium,
        profile.path(),
        &[&arg, "--window-size=1280,1600", &url],
    );
    let png = std::fs::read(&screenshot).expect("Chromium saved the screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    eprintln!("dashboard screenshot: {}", screenshot.display());
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let found = Command::new("which").arg(name).output().ok()?;
            let path = String::from_utf8(found.stdout).ok()?;
            let path = path.trim();
            (!path.is_empty()).then(|| PathBuf::from(path))
        })
}

/// Installs Debian's chromium package when this machine has none (the
/// test command must pass on a fresh machine): as root, with apt-get. One
/// test at a time installs it.
fn install_chromium() -> Option<PathBuf> {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = INSTALL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = chromium() {
        return Some(found);
    }
    eprintln!("installing Debian's chromium package for the dashboard's browser check");
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|status| status.success())
    };
    let installed = apt(&["update", "-qq"])
        && apt(&[
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
        ]);
    if !installed {
        eprintln!("apt-get could not install chromium");
    }
    chromium()
}

fn run_chromium(chromium: &PathBuf, profile: &std::path::Path, args: &[&str]) -> String {
    let mut command = Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args);
    let output = command.output().expect("Chromium runs");
    assert!(
        output.status.success(),
        "Chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::thread::sleep(Duration::from_millis(10));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_people_a_plan_laid_off_are_registered_unemployed_and_the_plan_counts_them() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;
    let employer_id = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(72))
            .await
            .expect(201),
    );
    let plan = http
        .post(
            "/v1/layoff-plans",
            Some(&counsellor),
            &json!({"employer_id": employer_id, "workforce": 300, "planned": 40,
                    "reasons": "产线搬迁", "planned_from": days_ahead(31), "measures": "依法补偿"}),
        )
        .await
        .expect(201);
    let location = plan.header("location").unwrap().to_owned();
    http.post(
        &format!("{location}/outcome"),
        Some(&counsellor),
        &json!({"laid_off": 2}),
    )
    .await
    .expect(200);
    let people = json!({"people": [
        {"id_number": crate::support::id_number(7201), "name": "王强", "education": "senior_secondary"},
        {"id_number": crate::support::id_number(7202), "name": "李娜", "education": "associate", "phone": "13812345678"},
    ]});
    let registered = http
        .post(
            &format!("{location}/outcome/registrations"),
            Some(&counsellor),
            &people,
        )
        .await
        .expect(200);
    assert_eq!(registered.body["registered_unemployed"], 2);
    let plan = http.get(&location, Some(&counsellor)).await.expect(200);
    assert_eq!(plan.body["laid_off"], 2);
    assert_eq!(plan.body["registered_unemployed"], 2);
    let jobseeker = registered.body["people"][0]["jobseeker_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let record = http
        .get(&format!("/v1/jobseekers/{jobseeker}"), Some(&counsellor))
        .await
        .expect(200);
    assert_eq!(record.body["status"], "registered_unemployed");
}
