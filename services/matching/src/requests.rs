//! Query strings as clients send them, parsed into typed queries with
//! every invalid parameter reported (400 `invalid_query`, one entry per
//! parameter).

use chrono::{DateTime, Utc};
use labex_app::{FieldError, InputError, Validator};
use labex_domain::value::{DivisionCode, Education, JobSeekerCategory, OccupationCode};
use labex_domain::{EmployerId, FairId};
use labex_search::{MAX_LIMIT, MAX_OFFSET, MatchOptions, SortOrder, VacancySearch};
use serde::Deserialize;

use crate::queries::{Completion, VacancyQuery};

/// `GET /v1/vacancies/search`.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
    pub region: Option<String>,
    pub occupation: Option<String>,
    /// A code of the occupational classification or its prefix: `6-31`
    /// (or `6-31-00-00`) covers the medium group's minor groups and
    /// occupations.
    pub occupation_code: Option<String>,
    pub education: Option<String>,
    pub salary_min_yuan: Option<String>,
    /// Categories, comma-separated.
    pub welcomes: Option<String>,
    pub public_welfare: Option<String>,
    pub employer: Option<String>,
    pub posted_after: Option<String>,
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// `open` (default) or `all` (closed and filled too).
    pub status: Option<String>,
    /// One job fair's vacancies (its id).
    pub fair: Option<String>,
}

/// Notes a bad query parameter; `detail` is a whole sentence.
pub fn reject(validator: &mut Validator, parameter: &str, code: InputError, detail: &str) {
    validator.push(FieldError::with_sentence(parameter, code, detail));
}

/// A whole number in `0..=max` (a page size or offset).
pub fn number(
    validator: &mut Validator,
    parameter: &str,
    text: Option<&str>,
    max: usize,
) -> Option<usize> {
    let text = text?.trim();
    match text.parse::<usize>() {
        Ok(value) if value <= max => Some(value),
        _ => {
            reject(
                validator,
                parameter,
                InputError::QueryRange,
                &format!("{parameter} must be a whole number from 0 to {max}."),
            );
            None
        }
    }
}

impl SearchParams {
    /// The search, or a 400 naming every bad parameter.
    pub fn parse(&self) -> labex_app::Result<VacancyQuery> {
        let mut problems = Validator::new();
        let mut search = VacancySearch {
            q: self
                .q
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_owned),
            ..VacancySearch::default()
        };
        if let Some(q) = &search.q
            && q.chars().count() > 200
        {
            reject(
                &mut problems,
                "q",
                InputError::QueryTooLong,
                "q must be at most 200 characters.",
            );
        }
        if let Some(region) = self.region.as_deref() {
            match DivisionCode::parse(region) {
                Ok(code) => search.region = Some(code),
                Err(_) => reject(
                    &mut problems,
                    "region",
                    InputError::DivisionCodeInvalid,
                    "region must be a six-digit administrative division code; a city's code covers its districts.",
                ),
            }
        }
        search.occupation = self
            .occupation
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned);
        if let Some(code) = self.occupation_code.as_deref() {
            match OccupationCode::parse_prefix(code) {
                Ok(prefix) => search.occupation_code = Some(prefix),
                Err(_) => reject(
                    &mut problems,
                    "occupation_code",
                    InputError::OccupationCodeInvalid,
                    "occupation_code must be a code of the occupational classification (职业分类大典 2022) or its prefix: 6, 6-31, 6-31-01 or 6-31-01-03.",
                ),
            }
        }
        if let Some(education) = self.education.as_deref() {
            match Education::parse(education) {
                Ok(level) => search.education = Some(level),
                Err(_) => reject(
                    &mut problems,
                    "education",
                    InputError::EducationUnknown,
                    "education must be none, primary, junior_secondary, senior_secondary, associate, bachelor, master or doctorate.",
                ),
            }
        }
        if let Some(salary) = self.salary_min_yuan.as_deref() {
            match salary.trim().parse::<u32>() {
                Ok(value) => search.salary_min_yuan = Some(value),
                Err(_) => reject(
                    &mut problems,
                    "salary_min_yuan",
                    InputError::QueryNumber,
                    "salary_min_yuan must be a whole number of yuan per month.",
                ),
            }
        }
        if let Some(welcomes) = self.welcomes.as_deref() {
            for category in welcomes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                match JobSeekerCategory::parse(category) {
                    Ok(category) => search.welcomes.push(category),
                    Err(_) => reject(
                        &mut problems,
                        "welcomes",
                        InputError::CategoryUnknown,
                        "welcomes must list job-seeker categories, such as graduate,laid_off.",
                    ),
                }
            }
        }
        if let Some(flag) = self.public_welfare.as_deref() {
            match flag.trim() {
                "true" => search.public_welfare = Some(true),
                "false" => search.public_welfare = Some(false),
                _ => reject(
                    &mut problems,
                    "public_welfare",
                    InputError::QueryBoolean,
                    "public_welfare must be true or false.",
                ),
            }
        }
        if let Some(employer) = self.employer.as_deref() {
            match EmployerId::parse(employer) {
                Ok(id) => search.employer = Some(id),
                Err(error) => problems.push(FieldError {
                    detail: "employer must be an employer id.".to_owned(),
                    ..FieldError::new("employer", &error)
                }),
            }
        }
        let mut fair = None;
        if let Some(text) = self.fair.as_deref() {
            match FairId::parse(text) {
                Ok(id) => fair = Some(id),
                Err(error) => problems.push(FieldError {
                    detail: "fair must be the id of a job fair (a UUID).".to_owned(),
                    ..FieldError::new("fair", &error)
                }),
            }
        }
        if let Some(after) = self.posted_after.as_deref() {
            match DateTime::parse_from_rfc3339(after.trim()) {
                Ok(moment) => search.posted_after = Some(moment.with_timezone(&Utc)),
                Err(_) => reject(
                    &mut problems,
                    "posted_after",
                    InputError::TimeInvalid,
                    "posted_after must be a time in RFC 3339, such as 2026-11-01T00:00:00+08:00.",
                ),
            }
        }
        match self.sort.as_deref().map(str::trim) {
            None | Some("relevance") => search.sort = SortOrder::Relevance,
            Some("newest") => search.sort = SortOrder::Newest,
            Some("salary") => search.sort = SortOrder::Salary,
            Some(_) => reject(
                &mut problems,
                "sort",
                InputError::QuerySort,
                "sort must be relevance, newest or salary.",
            ),
        }
        match self.status.as_deref().map(str::trim) {
            None | Some("open") => search.include_closed = false,
            Some("all") => search.include_closed = true,
            Some(_) => reject(
                &mut problems,
                "status",
                InputError::QueryStatus,
                "status must be open (the default) or all.",
            ),
        }
        if let Some(limit) = number(&mut problems, "limit", self.limit.as_deref(), MAX_LIMIT) {
            search.limit = limit.max(1);
        }
        if let Some(offset) = number(&mut problems, "offset", self.offset.as_deref(), MAX_OFFSET) {
            search.offset = offset;
        }
        problems.finish_query(|| Some(VacancyQuery { search, fair }))
    }
}

/// `GET /v1/vacancies/complete?q=&limit=`.
#[derive(Debug, Default, Deserialize)]
pub struct CompleteParams {
    pub q: Option<String>,
    pub limit: Option<String>,
}

impl CompleteParams {
    /// The type-ahead query, or a 400 naming every bad parameter.
    pub fn parse(&self) -> labex_app::Result<Completion> {
        let mut problems = Validator::new();
        let prefix = self.q.as_deref().map(str::trim).unwrap_or_default();
        if prefix.is_empty() || prefix.chars().count() > 50 {
            reject(
                &mut problems,
                "q",
                InputError::QueryRequired,
                "q must be a prefix of 1 to 50 characters.",
            );
        }
        let limit = number(&mut problems, "limit", self.limit.as_deref(), 20)
            .unwrap_or(10)
            .max(1);
        problems.finish_query(|| {
            Some(Completion {
                prefix: prefix.to_owned(),
                limit,
            })
        })
    }
}

/// `?limit=&offset=` of match and candidate lists.
#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    pub limit: Option<String>,
    pub offset: Option<String>,
}

impl PageParams {
    /// The page of a ranked list, or a 400 naming every bad parameter.
    pub fn parse(&self) -> labex_app::Result<MatchOptions> {
        let mut problems = Validator::new();
        let limit = number(&mut problems, "limit", self.limit.as_deref(), MAX_LIMIT);
        let offset = number(&mut problems, "offset", self.offset.as_deref(), MAX_OFFSET);
        problems.finish_query(|| {
            Some(MatchOptions {
                limit: limit.unwrap_or(20).max(1),
                offset: offset.unwrap_or(0),
                ..MatchOptions::default()
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_parses() {
        let params = SearchParams {
            q: Some(" 焊工 ".to_owned()),
            region: Some("410100".to_owned()),
            occupation_code: Some("6-31-00-00".to_owned()),
            education: Some("associate".to_owned()),
            salary_min_yuan: Some("5000".to_owned()),
            welcomes: Some("graduate,laid_off".to_owned()),
            public_welfare: Some("false".to_owned()),
            sort: Some("newest".to_owned()),
            limit: Some("50".to_owned()),
            offset: Some("100".to_owned()),
            fair: Some("0190a7c4-3b1e-7c2a-9f00-000000000001".to_owned()),
            ..SearchParams::default()
        };
        let VacancyQuery { search, fair } = params.parse().unwrap();
        assert_eq!(
            fair.map(|fair| fair.as_uuid().to_string()).as_deref(),
            Some("0190a7c4-3b1e-7c2a-9f00-000000000001")
        );
        assert_eq!(search.q.as_deref(), Some("焊工"));
        assert_eq!(search.occupation_code.as_deref(), Some("6-31"));
        assert_eq!(search.welcomes.len(), 2);
        assert_eq!(search.sort, SortOrder::Newest);
        assert_eq!((search.limit, search.offset), (50, 100));
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let params = SearchParams {
            region: Some("41".to_owned()),
            occupation_code: Some("6-99-99".to_owned()),
            education: Some("phd".to_owned()),
            salary_min_yuan: Some("lots".to_owned()),
            sort: Some("random".to_owned()),
            limit: Some("1000".to_owned()),
            offset: Some("5000".to_owned()),
            ..SearchParams::default()
        };
        let error = params.parse().unwrap_err();
        let fields: Vec<_> = error
            .field_errors()
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(
            fields,
            [
                "region",
                "occupation_code",
                "education",
                "salary_min_yuan",
                "sort",
                "limit",
                "offset"
            ]
        );
        assert!(matches!(error, labex_app::Error::InvalidQuery(_)));
    }
}
