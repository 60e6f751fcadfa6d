//! `labex` as a child process, with its data folder kept across restarts,
//! a client of its embedded store, and request bodies that offices send.

use std::time::Duration;

use kurrentdb::{Client, Position, ReadStreamOptions, StreamPosition};
use labex_testkit::{
    Answer, Http, Process, SECRET, Tokens, binary, china_today, event_count, temporary_folder,
};
use serde_json::{Value, json};

/// A `labex` process and its data folder.
pub struct Labex {
    process: Option<Process>,
    pub data: tempfile::TempDir,
    pub http: Http,
    store: Client,
    log: String,
    /// Settings beyond the defaults, kept across restarts.
    env: Vec<(&'static str, &'static str)>,
}

impl Labex {
    /// Starts `labex` on a fresh data folder, logging warnings only.
    pub async fn start() -> Self {
        Self::start_logging("warn").await
    }

    /// Starts `labex` on a fresh data folder with the log filter `log`
    /// (`LABEX_LOG`), kept across restarts; its lines are plain text
    /// (`NO_COLOR`).
    pub async fn start_logging(log: &str) -> Self {
        Self::start_with(log, &[]).await
    }

    /// Starts `labex` on a fresh data folder with the log filter `log` and
    /// the settings `env` beyond the defaults (kept across restarts).
    pub async fn start_with(log: &str, env: &[(&'static str, &'static str)]) -> Self {
        let data = temporary_folder("labex-e2e-");
        let (process, http, store) = Self::spawn(&data, log, env);
        Self {
            process: Some(process),
            data,
            http,
            store,
            log: log.to_owned(),
            env: env.to_vec(),
        }
    }

    /// Starts `labex` on the data folder `data` (one made by another
    /// command, say), logging warnings only.
    pub fn start_on(data: tempfile::TempDir) -> Self {
        let (process, http, store) = Self::spawn(&data, "warn", &[]);
        Self {
            process: Some(process),
            data,
            http,
            store,
            log: "warn".to_owned(),
            env: Vec::new(),
        }
    }

    /// A client of its store.
    pub fn store(&self) -> &Client {
        &self.store
    }

    fn spawn(
        data: &tempfile::TempDir,
        log: &str,
        env: &[(&'static str, &'static str)],
    ) -> (Process, Http, Client) {
        let folder = data.path().to_str().expect("a UTF-8 path");
        let mut settings = vec![
            ("LABEX_DATA", folder),
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE_LISTEN", "127.0.0.1:0"),
            ("LABEX_JWT_SECRET", SECRET),
            ("LABEX_LOG", log),
            // The tests read the log as text lines.
            ("LABEX_LOG_FORMAT", "text"),
            ("NO_COLOR", "1"),
        ];
        settings.extend_from_slice(env);
        let process = Process::start(&binary("labex"), &[], &settings);
        let url = process
            .printed("labex: event store at ")
            .and_then(|rest| rest.split_whitespace().next().map(str::to_owned))
            .expect("labex names its event store");
        let store = Client::new(
            format!("{url}&discoveryInterval=10")
                .parse()
                .expect("a connection string"),
        )
        .expect("a client");
        let http = Http::new(process.base_url());
        (process, http, store)
    }

    /// Stops it with SIGTERM (asserting a clean exit) and starts it again
    /// on the same data folder.
    pub fn restart(&mut self) {
        let status = self.process.take().expect("labex runs").stop();
        assert!(
            status.success(),
            "labex stops cleanly on SIGTERM: {status:?}"
        );
        self.respawn();
    }

    /// Kills it with SIGKILL and starts it again on the same data folder.
    pub fn crash_and_restart(&mut self) {
        self.process.take().expect("labex runs").kill();
        self.respawn();
    }

    /// Stops it with SIGTERM (asserting a clean exit), leaving it down.
    pub fn stop(&mut self) {
        let status = self.process.take().expect("labex runs").stop();
        assert!(
            status.success(),
            "labex stops cleanly on SIGTERM: {status:?}"
        );
    }

    /// Stops it with SIGTERM (asserting a clean exit), leaving it down,
    /// and returns everything it printed, to its last line.
    pub fn stop_with_output(&mut self) -> String {
        let (status, output) = self.process.take().expect("labex runs").stop_with_output();
        assert!(
            status.success(),
            "labex stops cleanly on SIGTERM: {status:?}; its output:\n{output}"
        );
        output
    }

    /// `http://ADDR` of the running process.
    pub fn process_url(&self) -> String {
        self.process.as_ref().expect("labex runs").base_url()
    }

    /// Starts it again on the same data folder.
    pub fn respawn(&mut self) {
        let (process, http, store) = Self::spawn(&self.data, &self.log, &self.env);
        self.process = Some(process);
        self.http = http;
        self.store = store;
    }

    /// Events written by Labex (claims included), optionally only those
    /// of streams starting with `prefix`.
    pub async fn events(&self, prefix: Option<&str>) -> usize {
        event_count(&self.store, prefix).await
    }

    /// The position in `$all` of the last event of `stream`.
    ///
    /// Read on a runtime of its own, dropped with the client's connection
    /// once read: `labex`'s store lets open connections run out its grace
    /// period when it stops, which a client kept here would hold up.
    pub fn last_position(&self, stream: &str) -> Position {
        let settings = self.store.settings().clone();
        let stream = stream.to_owned();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let client = Client::new(settings).expect("a client");
                let options = ReadStreamOptions::default()
                    .position(StreamPosition::End)
                    .backwards()
                    .max_count(1);
                let mut events = client
                    .read_stream(stream.as_str(), &options)
                    .await
                    .expect("a read of the stream");
                let mut last = None;
                while let Some(event) = events.next().await.expect("a read of the stream") {
                    last = Some(event.get_original_event().position);
                }
                last.unwrap_or_else(|| panic!("{stream} has no events"))
            })
        })
        .join()
        .expect("the read of the stream")
    }

    /// Polls `path` with `token` until `done` holds for its body.
    pub async fn eventually(
        &self,
        path: &str,
        token: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let mut last = Value::Null;
        for _ in 0..200 {
            let answer = self.http.get(path, Some(token)).await;
            if answer.status.as_u16() == 200 && done(&answer.body) {
                return answer.body;
            }
            last = answer.body;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{path} never reached the expected state; last answer: {last}");
    }
}

/// A distinct valid resident ID number per `n`.
pub fn id_number(n: u32) -> String {
    labex_testkit::id_number(u64::from(n))
}

/// A distinct valid unified social credit code per `n`.
pub fn credit_code(n: u32) -> String {
    labex_testkit::credit_code(u64::from(n))
}

/// A graduate registering in district 410105.
pub fn jobseeker(n: u32) -> Value {
    json!({
        "name": "赵磊",
        "id_number": id_number(n),
        "phone": "13912345678",
        "education": "bachelor",
        "major": "电气工程及其自动化",
        "graduation_year": 2026,
        "categories": ["graduate"],
        "skills": ["PLC", "电气设计"],
        "desired_occupations": ["电气工程师"],
        "desired_regions": ["410100"],
        "office": "410105"
    })
}

/// An employer in district 410105.
pub fn employer(n: u32) -> Value {
    json!({
        "name": "郑州智能装备有限公司",
        "credit_code": credit_code(n),
        "region": "410105",
        "industry": "制造业"
    })
}

/// A vacancy of `employer` for `headcount` people.
pub fn vacancy(employer: &str, headcount: u32) -> Value {
    json!({
        "employer_id": employer,
        "title": "电气工程师",
        "description": "负责生产线电气系统设计与调试，欢迎应届毕业生。",
        "occupation": "电气工程技术人员",
        "region": "410105",
        "salary_min_yuan": 6000,
        "salary_max_yuan": 9000,
        "headcount": headcount,
        "education": "bachelor",
        "experience_years": 0,
        "welcomes": ["graduate"],
        "public_welfare": false
    })
}

/// The `id` of a created resource.
pub fn id_of(answer: &Answer) -> String {
    answer.body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {}", answer.text))
        .to_owned()
}

/// The resources of one placement.
pub struct Placement {
    pub employer: String,
    pub vacancy: String,
    pub jobseeker: String,
    pub referral: String,
    /// The hire's date: today in China (never before the referral,
    /// whatever day the test runs).
    pub hired_on: String,
}

/// As a counsellor of 410105: registers employer `n`, publishes a vacancy
/// for one person, registers job seeker `n`, refers them and records the
/// hire. `employers`, `jobseekers` and `referrals` serve those resources
/// (one `labex`, or each service's own process).
pub async fn place(employers: &Http, jobseekers: &Http, referrals: &Http, n: u32) -> Placement {
    let counsellor = Tokens::counsellor("410105");
    let counsellor = Some(counsellor.as_str());
    let employer_id = id_of(
        &employers
            .post("/v1/employers", counsellor, &employer(n))
            .await
            .expect(201),
    );
    let vacancy_id = id_of(
        &employers
            .post("/v1/vacancies", counsellor, &vacancy(&employer_id, 1))
            .await
            .expect(201),
    );
    let jobseeker_id = id_of(
        &jobseekers
            .post("/v1/jobseekers", counsellor, &jobseeker(n))
            .await
            .expect(201),
    );
    let referral_id = id_of(
        &referrals
            .post(
                "/v1/referrals",
                counsellor,
                &json!({"jobseeker_id": jobseeker_id, "vacancy_id": vacancy_id, "note": "专业对口"}),
            )
            .await
            .expect(201),
    );
    let hired_on = china_today();
    referrals
        .post(
            &format!("/v1/referrals/{referral_id}/outcome"),
            counsellor,
            &json!({"outcome": "hired", "date": hired_on}),
        )
        .await
        .expect(200);
    Placement {
        employer: employer_id,
        vacancy: vacancy_id,
        jobseeker: jobseeker_id,
        referral: referral_id,
        hired_on,
    }
}
