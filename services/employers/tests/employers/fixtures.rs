//! The request bodies both kinds of tests start from: HTTP tests send
//! them, use-case tests parse them into commands as the handlers do.

use labex_testkit::credit_code;
use serde_json::{Value, json};

/// Employer `n` (its own credit code) in `region`.
pub fn employer_body(n: u64, region: &str) -> Value {
    json!({
        "name": format!("郑州第{n}软件有限公司"),
        "credit_code": credit_code(n),
        "region": region,
        "industry": "软件和信息技术服务业"
    })
}

/// A vacancy of `employer` titled `title`, closing in 2099.
pub fn vacancy_body(employer: &str, title: &str) -> Value {
    json!({
        "employer_id": employer,
        "title": title,
        "description": "负责服务端开发与维护",
        "occupation": "软件工程师",
        "region": "410105",
        "salary_min_yuan": 8000,
        "salary_max_yuan": 15000,
        "headcount": 2,
        "education": "bachelor",
        "experience_years": 1,
        "welcomes": ["graduate"],
        "public_welfare": false,
        "closes_at": "2099-12-31T16:00:00Z"
    })
}
