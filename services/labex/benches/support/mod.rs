//! What the release-mode programs over HTTP share (`http`, `soak`): the
//! binary and how it is served, the machine's description, the generated
//! job seekers, employers, vacancies and queries.
//!
//! Each program uses part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use labex_testkit::{Process, SECRET};
use serde_json::{Value, json};

pub const OCCUPATIONS: &str =
    include_str!("../../../../crates/search/benches/data/occupations.txt");
pub const DIVISIONS: &str = include_str!("../../../../crates/search/benches/data/divisions.txt");

pub fn registration(n: u64) -> Value {
    json!({
        "name": "王芳",
        "id_number": labex_testkit::id_number(n),
        "phone": "13800138000",
        "education": "associate",
        "major": "数控技术",
        "graduation_year": 2026,
        "categories": ["graduate", "hardship"],
        "skills": ["数控车床", "CAD", "质量检验"],
        "desired_occupations": ["数控操作工"],
        "desired_regions": ["410100"],
        "summary": "高职应届毕业生，持数控车工中级证书",
        "office": "410105"
    })
}

pub fn binary() -> PathBuf {
    std::env::var_os("LABEX_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| labex_testkit::binary("labex"))
}

/// `labex` serving the data folder `data` (embedded store) on free ports.
pub fn serve(binary: &std::path::Path, data: &str) -> Process {
    Process::start(
        binary,
        &[],
        &[
            ("LABEX_DATA", data),
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE_LISTEN", "127.0.0.1:0"),
            ("LABEX_JWT_SECRET", SECRET),
            ("LABEX_LOG", "warn"),
        ],
    )
}

/// The user and password `labex` connects to a secured store with.
const STORE_USER: (&str, &str) = ("labex", "bench-password-of-the-benchmark");

/// The test certificates of `labex-store` (a CA and a `localhost`
/// certificate it signed, made for tests only).
fn tls_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../store/tests/tls")
        .join(name)
}

/// `labex` on a `labex-store` of its own with TLS and a user's
/// credentials on every call, as a store beyond loopback is run, both on
/// free ports with their data under `data`: the store, then `labex`.
pub fn serve_secured(binary: &Path, data: &str) -> (Process, Process) {
    let store_binary = std::env::var_os("LABEX_STORE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| labex_testkit::binary("labex-store"));
    let store_data = Path::new(data).join("secured-store");
    let mut adding = Command::new(&store_binary)
        .args(["user", "add", STORE_USER.0, "--data"])
        .arg(&store_data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("labex-store user add runs");
    adding
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(format!("{}\n", STORE_USER.1).as_bytes())
        .expect("the password is written");
    assert!(
        adding.wait().expect("labex-store user add ends").success(),
        "the store's user is added"
    );
    let password_file = Path::new(data).join("store-password");
    std::fs::write(&password_file, STORE_USER.1).expect("the password file is written");
    let path = |path: &Path| path.to_str().expect("a UTF-8 path").to_owned();
    let store = Process::start(
        &store_binary,
        &[
            "--data",
            &path(&store_data),
            "--listen",
            "127.0.0.1:0",
            "--log",
            "warn",
            "--tls-cert",
            &path(&tls_file("server.pem")),
            "--tls-key",
            &path(&tls_file("server.key")),
        ],
        &[],
    );
    let url = format!(
        "esdb://localhost:{}?discoveryInterval=10",
        store.address().port()
    );
    let labex = Process::start(
        binary,
        &[],
        &[
            ("LABEX_DATA", data),
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE", &url),
            ("LABEX_EVENTSTORE_USER", STORE_USER.0),
            ("LABEX_EVENTSTORE_PASSWORD_FILE", &path(&password_file)),
            ("LABEX_EVENTSTORE_CA", &path(&tls_file("ca.pem"))),
            ("LABEX_JWT_SECRET", SECRET),
            ("LABEX_LOG", "warn"),
        ],
    );
    (store, labex)
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown cpu".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |cores| cores.get());
    format!("{cores} cores, {cpu}")
}

/// A small seeded generator (SplitMix64): the same vacancies every run.
pub struct Random(pub u64);

impl Random {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The occupations (name, duties) and division codes of the generator.
pub struct Vocabulary {
    pub occupations: Vec<(String, Vec<String>)>,
    pub divisions: Vec<String>,
}

impl Vocabulary {
    pub fn load() -> Self {
        let rows = |text: &'static str| {
            text.lines()
                .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
                .map(|line| line.split('\t').map(str::to_owned).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        let occupations = rows(OCCUPATIONS)
            .into_iter()
            .filter(|row| row.len() >= 3)
            .map(|row| {
                let duties = row[2].split('；').map(str::to_owned).collect();
                (row[1].clone(), duties)
            })
            .collect();
        let divisions = rows(DIVISIONS)
            .into_iter()
            .map(|row| row[0].clone())
            .collect();
        Self {
            occupations,
            divisions,
        }
    }

    pub fn vacancy(&self, random: &mut Random, employer: &str, title_suffix: &str) -> Value {
        const PREFIXES: [&str; 5] = ["", "急招", "诚聘", "招聘", "长期招聘"];
        const EDUCATION: [&str; 5] = [
            "none",
            "junior_secondary",
            "senior_secondary",
            "associate",
            "bachelor",
        ];
        const WELCOMES: [&str; 5] = [
            "graduate",
            "migrant_worker",
            "laid_off",
            "zero_employment_household",
            "disabled",
        ];
        let (occupation, duties) = random.pick(&self.occupations);
        let minimum = 2_500 + 500 * random.below(20) as u32;
        let mut description = String::new();
        for _ in 0..3 {
            let duty: &String = random.pick(duties);
            description.push_str(duty);
            description.push('；');
        }
        description.push_str("五险一金，包食宿，节假日福利，欢迎有意者投递简历。");
        let welcomes: Vec<&str> = (0..random.below(3))
            .map(|_| *random.pick(&WELCOMES))
            .collect();
        json!({
            "employer_id": employer,
            "title": format!("{}{occupation}{title_suffix}", random.pick(&PREFIXES)),
            "description": description,
            "occupation": occupation,
            "region": random.pick(&self.divisions),
            "salary_min_yuan": minimum,
            "salary_max_yuan": minimum + 500 * (1 + random.below(8)) as u32,
            "headcount": 1 + random.below(10),
            "education": random.pick(&EDUCATION),
            "experience_years": random.below(5),
            "welcomes": welcomes,
            "public_welfare": random.below(20) == 0
        })
    }
}

/// A number of this run that earlier runs on the same data (`--data`)
/// did not have: the clock's seconds, modulo a day.
pub fn run_number() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() % 86_400)
}

/// Registers an employer whose credit code no earlier run on the same
/// data has used.
pub async fn register_employer(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    n: u64,
) -> String {
    let n = n + 100 * run_number();
    let answer = client
        .post(format!("{base}/v1/employers"))
        .bearer_auth(token)
        .json(&json!({
            "name": "河南省招聘测试有限公司",
            "credit_code": labex_testkit::credit_code(n),
            "region": "410105",
            "industry": "制造业"
        }))
        .send()
        .await
        .expect("the employer is registered");
    let body: Value = answer.json().await.expect("a JSON answer");
    body["id"].as_str().expect("an employer id").to_owned()
}

/// The mixed query set, drawn like the search library's own benchmark
/// (`crates/search/benches/search.rs`): 90 % text (an occupation, or in a
/// fifth of them an occupation and a word offices put in titles), half
/// within a city or the province, 30 % within a county, 60 % with a salary
/// floor, 15 % with an education level; relevance (80 %), newest or pay;
/// 5 % ask for a later page; every query counts facets.
pub fn queries(vocabulary: &Vocabulary, count: usize) -> Vec<Vec<(&'static str, String)>> {
    const AREAS: [&str; 5] = ["410100", "410300", "410700", "420100", "410000"];
    const WORDS: [&str; 4] = ["包吃住", "五险一金", "双休", "叉车"];
    const EDUCATION: [&str; 3] = ["junior_secondary", "senior_secondary", "associate"];
    let mut random = Random(7);
    (0..count)
        .map(|_| {
            let mut query = Vec::new();
            if random.below(10) < 9 {
                let (occupation, _) = random.pick(&vocabulary.occupations);
                let text = if random.below(5) == 0 {
                    format!("{occupation} {}", random.pick(&WORDS))
                } else {
                    occupation.clone()
                };
                query.push(("q", text));
            }
            match random.below(10) {
                0..=4 => query.push(("region", random.pick(&AREAS).to_string())),
                5..=7 => query.push(("region", random.pick(&vocabulary.divisions).clone())),
                _ => {}
            }
            if random.below(10) < 6 {
                query.push((
                    "salary_min_yuan",
                    (3_000 + 500 * random.below(10)).to_string(),
                ));
            }
            if random.below(100) < 15 {
                query.push(("education", random.pick(&EDUCATION).to_string()));
            }
            match random.below(10) {
                8 => query.push(("sort", "newest".to_owned())),
                9 => query.push(("sort", "salary".to_owned())),
                _ => {}
            }
            if random.below(20) == 0 {
                query.push(("offset", "20".to_owned()));
            }
            query
        })
        .collect()
}
