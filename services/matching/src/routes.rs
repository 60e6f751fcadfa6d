//! Search, type-ahead, matches and candidates.

use std::time::Instant;

use actix_web::{HttpResponse, web};
use labex_domain::jobseeker::JobSeeker;
use labex_domain::vacancy::Vacancy;
use labex_domain::{JobSeekerId, VacancyId};
use labex_eventsourcing::{Repository, RepositoryError};
use labex_search::{MAX_LIMIT, MAX_OFFSET, MatchOptions, SearchError, SearchIndex, SearchResults};
use labex_web::{ApiError, Caller, ErrorCode, MaybeCaller, Role};
use prometheus::HistogramVec;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::minimum;
use crate::params::{Problems, SearchParams, number};
use crate::views::ResultsView;

/// What the handlers share.
pub struct State {
    pub repository: Repository,
    pub index: SearchIndex,
    /// Query latency by kind (search, complete, matches, candidates).
    pub latency: HistogramVec,
    /// One permit per query running ([`queries_at_once`]); the others
    /// wait their turn in order of arrival.
    pub running: tokio::sync::Semaphore,
    /// Each job fair's vacancies, for `?fair=`.
    pub fairs: labex_fairs::FairVacancies,
}

/// How many queries run at once: two per core. Queries are CPU-bound:
/// with no bound, a burst puts every waiting query on its own thread and
/// all of them slow down together (at 400 searches/s offered on two cores
/// the median answer took 0.4 s and the slowest 10 s); one per core left
/// cores idle while answers were written out (329 searches/s at most
/// instead of about 400); two per core kept pace with a median of 28 ms.
pub fn queries_at_once() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |cores| cores.get())
}

impl State {
    /// Runs `query` on the blocking pool once a core is free for it (in
    /// the order queries came), timed as `kind` from its arrival.
    async fn query<T: Send + 'static>(
        &self,
        kind: &'static str,
        query: impl FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let index = self.index.clone();
        let started = Instant::now();
        let _permit = self
            .running
            .acquire()
            .await
            .map_err(|error| ApiError::internal(&error))?;
        let answer = web::block(move || query(&index))
            .await
            .map_err(|error| ApiError::internal(&error))?;
        self.latency
            .with_label_values(&[kind])
            .observe(started.elapsed().as_secs_f64());
        answer.map_err(search_error)
    }
}

fn search_error(error: SearchError) -> ApiError {
    match error {
        SearchError::LimitTooLarge { .. } | SearchError::OffsetTooLarge { .. } => ApiError::new(
            ErrorCode::InvalidQuery,
            format!("{error}; ask for a smaller page."),
        ),
        SearchError::NotFound { kind, .. } => ApiError::new(
            ErrorCode::NotFound,
            format!(
                "No {kind} with this id is in the search index yet; check the id, or retry in a moment if it was just registered."
            ),
        ),
        other => ApiError::internal(&other),
    }
}

/// Mounts the routes. They go before the employers' `/v1/vacancies/{id}`.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/v1/vacancies/search").route(web::get().to(search)))
        .service(web::resource("/v1/vacancies/complete").route(web::get().to(complete)))
        .service(web::resource("/v1/vacancies/feed").route(web::get().to(crate::feed::feed)))
        .service(web::resource("/v1/vacancies/{id}/candidates").route(web::get().to(candidates)))
        .service(web::resource("/v1/jobseekers/{id}/matches").route(web::get().to(matches)));
}

/// Search open vacancies (public).
#[utoipa::path(
    get,
    path = "/v1/vacancies/search",
    tag = "matching",
    params(
        ("q" = Option<String>, Query, description = "words in Chinese or English; \"phrases\" and -exclusions"),
        ("region" = Option<String>, Query, description = "division code; a city covers its districts"),
        ("occupation" = Option<String>, Query),
        ("education" = Option<String>, Query, description = "the vacancy asks at most this"),
        ("salary_min_yuan" = Option<u32>, Query, description = "the vacancy can pay at least this"),
        ("welcomes" = Option<String>, Query, description = "categories, comma-separated"),
        ("public_welfare" = Option<bool>, Query),
        ("employer" = Option<String>, Query),
        ("posted_after" = Option<String>, Query, description = "RFC 3339"),
        ("sort" = Option<String>, Query, description = "relevance (default), newest or salary"),
        ("status" = Option<String>, Query, description = "open (default) or all"),
        ("fair" = Option<String>, Query, description = "a job fair's id: only the vacancies its exhibitors bring"),
        ("limit" = Option<u32>, Query, description = "at most 100"),
        ("offset" = Option<u32>, Query, description = "at most 2,000"),
    ),
    responses(
        (status = 200, description = "hits, facets and highlights", body = ResultsView),
        (status = 400, description = "a bad parameter", body = labex_web::Problem),
        (status = 404, description = "no such fair (yet)", body = labex_web::Problem),
    )
)]
pub async fn search(
    state: web::Data<State>,
    _caller: MaybeCaller,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let mut search = params.parse()?;
    if let Some(fair) = params.fair.as_deref() {
        search.vacancies = Some(fair_vacancies(&state.fairs, fair).await?);
    }
    let results = state
        .query("search", move |index| index.search_vacancies(&search))
        .await?;
    Ok(HttpResponse::Ok().json(ResultsView::from(results)))
}

/// The vacancies of the fair `text` names, or a 400 (not an id) or 404
/// (no fair known by that id yet).
async fn fair_vacancies(
    fairs: &labex_fairs::FairVacancies,
    text: &str,
) -> Result<Vec<VacancyId>, ApiError> {
    let fair = labex_domain::FairId::parse(text)
        .map_err(|_| ApiError::invalid_query("fair must be the id of a job fair (a UUID)."))?;
    fairs
        .vacancy_ids(fair)
        .await
        .map_err(|error| ApiError::internal(&error))?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("No fair {fair} is known to search yet; check the id, or retry in a moment if it was just scheduled."),
            )
        })
}

/// `?q=&limit=` of the type-ahead.
#[derive(Debug, Deserialize)]
pub struct CompleteParams {
    q: Option<String>,
    limit: Option<String>,
}

/// A suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionView {
    pub text: String,
    /// Live vacancies with the word.
    pub count: u64,
}

/// Suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    pub suggestions: Vec<SuggestionView>,
}

/// Type-ahead: words of live vacancies starting with `q` (public).
#[utoipa::path(
    get,
    path = "/v1/vacancies/complete",
    tag = "matching",
    params(
        ("q" = String, Query, description = "a Chinese or Latin prefix"),
        ("limit" = Option<u32>, Query, description = "at most 20"),
    ),
    responses(
        (status = 200, description = "suggestions, most frequent first", body = Suggestions),
        (status = 400, description = "no q, or a bad limit", body = labex_web::Problem),
    )
)]
pub async fn complete(
    state: web::Data<State>,
    _caller: MaybeCaller,
    params: web::Query<CompleteParams>,
) -> Result<HttpResponse, ApiError> {
    let mut problems = Problems::default();
    let prefix = params
        .q
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if prefix.is_empty() || prefix.chars().count() > 50 {
        problems.add(
            "q",
            labex_web::InputError::QueryRequired,
            "q must be a prefix of 1 to 50 characters.",
        );
    }
    let limit = number(&mut problems, "limit", params.limit.as_deref(), 20)
        .unwrap_or(10)
        .max(1);
    problems.finish(())?;
    let suggestions = state
        .query("complete", move |index| index.complete(&prefix, limit))
        .await?;
    Ok(HttpResponse::Ok().json(Suggestions {
        suggestions: suggestions
            .into_iter()
            .map(|suggestion| SuggestionView {
                text: suggestion.text,
                count: suggestion.count,
            })
            .collect(),
    }))
}

/// `?limit=&offset=` of match lists.
#[derive(Debug, Deserialize)]
pub struct PageParams {
    limit: Option<String>,
    offset: Option<String>,
}

impl PageParams {
    fn options(&self) -> Result<MatchOptions, ApiError> {
        let mut problems = Problems::default();
        let limit = number(&mut problems, "limit", self.limit.as_deref(), MAX_LIMIT);
        let offset = number(&mut problems, "offset", self.offset.as_deref(), MAX_OFFSET);
        problems.finish(MatchOptions {
            limit: limit.unwrap_or(20).max(1),
            offset: offset.unwrap_or(0),
            ..MatchOptions::default()
        })
    }
}

fn invalid_id(kind: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidPath,
        format!("The {kind} id in the path is not a UUID; use the id the API returned."),
    )
}

fn loaded<A>(result: Result<(A, u64), RepositoryError>, kind: &str) -> Result<A, ApiError> {
    match result {
        Ok((state, _)) => Ok(state),
        Err(RepositoryError::NotFound { .. }) => Err(ApiError::new(
            ErrorCode::NotFound,
            format!("No such {kind} exists; check the id in the path."),
        )),
        Err(error) => Err(ApiError::from_repository(error, false)),
    }
}

/// Vacancies ranked for one job seeker, with reasons: office staff in
/// scope, and the job seeker.
#[utoipa::path(
    get,
    path = "/v1/jobseekers/{id}/matches",
    tag = "matching",
    params(
        ("id" = String, Path, description = "job seeker id"),
        ("limit" = Option<u32>, Query), ("offset" = Option<u32>, Query),
    ),
    responses(
        (status = 200, description = "open vacancies, best first", body = ResultsView),
        (status = 403, description = "outside the caller's scope", body = labex_web::Problem),
        (status = 404, description = "no such job seeker", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn matches(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = JobSeekerId::parse(&path).map_err(|_| invalid_id("job seeker"))?;
    let options = params.options()?;
    let jobseeker = loaded(state.repository.get::<JobSeeker>(id).await, "job seeker")?;
    let own = caller.role() == Role::Jobseeker && caller.subject() == id.to_string();
    if !own {
        caller.may_act_in(&jobseeker.office)?;
    }
    let results: SearchResults = state
        .query("matches", move |index| {
            index.matches_for(&id.to_string(), &options)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ResultsView::from(results)))
}

/// Job seekers ranked for one vacancy, priority groups first among
/// comparable candidates: office staff (their scope's job seekers) and the
/// vacancy's employer.
#[utoipa::path(
    get,
    path = "/v1/vacancies/{id}/candidates",
    tag = "matching",
    params(
        ("id" = String, Path, description = "vacancy id"),
        ("limit" = Option<u32>, Query), ("offset" = Option<u32>, Query),
    ),
    responses(
        (status = 200, description = "job seekers, best first, with reasons", body = ResultsView),
        (status = 403, description = "neither the employer nor an office in scope", body = labex_web::Problem),
        (status = 404, description = "no such vacancy", body = labex_web::Problem),
    ),
    security(("bearer" = []))
)]
pub async fn candidates(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = VacancyId::parse(&path).map_err(|_| invalid_id("vacancy"))?;
    let mut options = params.options()?;
    let vacancy = loaded(state.repository.get::<Vacancy>(id).await, "vacancy")?;
    caller.may_act_for_employer(vacancy.employer_id, &vacancy.details.region)?;
    // Staff see the job seekers of their own scope, the province everyone
    // the vacancy could take, the employer those of the vacancy's region.
    match caller.role() {
        Role::Counsellor | Role::OfficeAdmin => {
            options.office_scope = Some(caller.office().clone())
        }
        Role::Employer => options.office_scope = Some(vacancy.details.region.clone()),
        _ => {}
    }
    let mut results = state
        .query("candidates", move |index| {
            index.candidates_for(&id.to_string(), &options)
        })
        .await?;
    if caller.role() == Role::Employer {
        minimum::for_employer(&state.repository, id, &vacancy, &mut results).await?;
    } else {
        minimum::add_names(&state.repository, &mut results).await?;
    }
    Ok(HttpResponse::Ok().json(ResultsView::from(results)))
}
