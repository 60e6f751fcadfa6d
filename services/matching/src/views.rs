//! What search, matching and candidate lists answer:
//! `{"total", "hits": [{"id", "title" or "name", "score", "highlight", "reasons", …}], "facets"}`.

use labex_domain::value::Divisions;
use labex_search::{Facets, Highlight, Hit, Place, Reason, Record, SearchResults};
use serde::Serialize;
use utoipa::ToSchema;

/// One page of hits.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsView {
    /// Hits in all.
    pub total: usize,
    pub hits: Vec<HitView>,
    /// Counts per region, occupation, education and welcomed category
    /// (a region's count carries its `name` beside its code).
    #[schema(value_type = Object)]
    pub facets: Facets,
    /// The places (行政区划) the query named, searched as regions: `郑州 电工`
    /// searches 电工 in 郑州市 (`[{"code": "410100", "name": "郑州市"}]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub places: Vec<Place>,
}

/// One hit: a vacancy (with `title`) or a job seeker (with `name`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HitView {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub score: f32,
    /// Matched words marked `<em>…</em>`.
    #[schema(value_type = Object)]
    pub highlight: Highlight,
    /// What matched (`kind`: occupation, occupation_code, skill, summary,
    /// region, education, welcomes, public_welfare, priority), the value
    /// (`detail`), and where (`field`), which priority.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
    /// A vacancy's employer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    /// A vacancy's code in the occupational classification (职业分类大典
    /// 2022), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupation_code: Option<String>,
    /// That code's title in the classification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupation_title: Option<String>,
    /// A vacancy's region, a job seeker's office.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The region's name (`金水区`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_min_yuan: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_max_yuan: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub education: Option<String>,
    /// A job seeker's categories.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_welfare: Option<bool>,
    pub status: String,
    /// A vacancy's publication time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Shown to office staff only, while a vacancy's employer has open
    /// wage-arrears cases (欠薪): how many, and since the day the oldest
    /// was opened. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer_arrears: Option<labex_app::arrears_marks::ArrearsMark>,
}

impl From<Hit> for HitView {
    fn from(hit: Hit) -> Self {
        let mut view = HitView {
            id: hit.id,
            title: hit.title,
            name: hit.name,
            score: hit.score,
            highlight: hit.highlight,
            reasons: hit.reasons,
            employer_id: None,
            occupation: None,
            occupation_code: None,
            occupation_title: None,
            region: None,
            region_name: None,
            salary_min_yuan: None,
            salary_max_yuan: None,
            education: None,
            categories: None,
            public_welfare: None,
            status: String::new(),
            published_at: None,
            employer_arrears: None,
        };
        match hit.record {
            Some(Record::Vacancy(vacancy)) => {
                let details = &vacancy.details;
                view.employer_id = Some(vacancy.employer_id.to_string());
                view.occupation = Some(details.occupation.as_str().to_owned());
                if let Some(code) = &details.occupation_code {
                    view.occupation_code = Some(code.as_str().to_owned());
                    view.occupation_title = Some(code.title().to_owned());
                }
                view.region = Some(details.region.as_str().to_owned());
                view.region_name = Divisions::get()
                    .name(details.region.as_str())
                    .map(str::to_owned);
                view.salary_min_yuan = Some(details.salary.min_yuan());
                view.salary_max_yuan = Some(details.salary.max_yuan());
                view.education = Some(details.education.as_str().to_owned());
                view.public_welfare = Some(details.public_welfare);
                // Its status at the search's moment (past its closing time,
                // closed), as every answer about a vacancy gives it.
                view.status = hit.status.unwrap_or(vacancy.status).as_str().to_owned();
                view.published_at = Some(labex_domain::rfc3339_millis(vacancy.published_at));
            }
            Some(Record::JobSeeker(seeker)) => {
                view.region = Some(seeker.office.as_str().to_owned());
                view.region_name = Divisions::get()
                    .name(seeker.office.as_str())
                    .map(str::to_owned);
                view.education = Some(seeker.profile.education.as_str().to_owned());
                view.categories = Some(
                    seeker
                        .profile
                        .categories
                        .iter()
                        .map(|category| category.as_str().to_owned())
                        .collect(),
                );
                view.status = seeker.status.as_str().to_owned();
            }
            Some(Record::Household(_)) | None => {}
        }
        view
    }
}

impl From<SearchResults> for ResultsView {
    fn from(results: SearchResults) -> Self {
        Self {
            total: results.total,
            hits: results.hits.into_iter().map(HitView::from).collect(),
            facets: results.facets,
            places: results.places,
        }
    }
}

#[cfg(test)]
mod tests {
    use labex_search::VacancyRecord;
    use serde_json::json;

    use super::*;

    fn hit_of(code: Option<&str>) -> serde_json::Value {
        let record: VacancyRecord = serde_json::from_value(json!({
            "id": "0190a7c4-3b1e-7c2a-9f00-000000000001",
            "employer_id": "0190a7c4-3b1e-7c2a-9f00-000000000002",
            "details": {
                "title": "维修电工",
                "description": "厂区设备维修。",
                "occupation": "维修师傅",
                "occupation_code": code,
                "region": "410105",
                "salary": {"min_yuan": 6000, "max_yuan": 8000},
                "headcount": 1,
                "education": "none",
                "experience_years": 0,
                "welcomes": [],
                "public_welfare": false,
                "closes_at": null
            },
            "published_at": "2026-12-01T00:00:00Z",
            "status": "open",
            "open_headcount": 1,
            "close_reason": null,
            "placements": [],
            "revision": 0
        }))
        .expect("a vacancy record");
        let hit = Hit {
            id: "0190a7c4-3b1e-7c2a-9f00-000000000001".to_owned(),
            title: Some("维修电工".to_owned()),
            name: None,
            score: 1.0,
            highlight: Highlight::default(),
            reasons: Vec::new(),
            status: None,
            record: Some(Record::Vacancy(record)),
        };
        serde_json::to_value(HitView::from(hit)).expect("a hit serialises")
    }

    #[test]
    fn a_coded_vacancy_hit_names_its_code_and_title() {
        let coded = hit_of(Some("6-31-01-03"));
        assert_eq!(coded["occupation"], "维修师傅");
        assert_eq!(coded["occupation_code"], "6-31-01-03");
        assert_eq!(coded["occupation_title"], "电工");
        assert_eq!(coded["region_name"], "金水区");
        let plain = hit_of(None);
        assert!(plain.get("occupation_code").is_none(), "{plain}");
        assert!(plain.get("occupation_title").is_none(), "{plain}");
    }
}
