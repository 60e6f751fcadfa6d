//! Request bodies offices send.

use serde_json::{Value, json};

/// A provider's registration body.
pub fn provider_body(n: u64, office: &str) -> Value {
    json!({
        "name": format!("金水区第{n}职业技能培训学校"),
        "credit_code": labex_testkit::credit_code(900_000 + n),
        "office": office,
    })
}

/// A course body of `provider` titled `title`, in 410105, with `seats`.
pub fn course_body(provider: &str, title: &str, seats: u32) -> Value {
    json!({
        "provider_id": provider,
        "title": title,
        "kind": "re_employment",
        "occupation": "6-18-02-04",
        "description": "电焊、气焊实操与安全规范，结业参加职业技能鉴定。",
        "hours": 240,
        "seats": seats,
        "starts_on": "2026-03-02",
        "ends_on": "2099-04-30",
        "region": "410105",
        "subsidy_per_trainee_fen": 150000,
    })
}
