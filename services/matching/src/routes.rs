//! Search, type-ahead, matches and candidates: each handler reads the
//! request, calls one use case of [`Matching`], and renders its answer.

use actix_web::{HttpResponse, web};
use labex_domain::{JobSeekerId, VacancyId};
use labex_web::{ApiError, Caller, Id, MaybeCaller};
use serde::Serialize;
use utoipa::ToSchema;

use crate::queries::Matching;
use crate::requests::{CompleteParams, PageParams, SearchParams};
use crate::views::ResultsView;

/// Mounts the routes. They go before the employers' `/v1/vacancies/{id}`.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/v1/vacancies/search").route(web::get().to(search)))
        .service(web::resource("/v1/vacancies/complete").route(web::get().to(complete)))
        .service(web::resource("/v1/vacancies/feed").route(web::get().to(crate::feed::feed)))
        .service(web::resource("/v1/vacancies/{id}/candidates").route(web::get().to(candidates)))
        .service(web::resource("/v1/jobseekers/{id}/matches").route(web::get().to(matches)));
}

/// Search open vacancies (public). With an office staff token, each hit
/// of an employer with open wage-arrears cases (欠薪) is marked
/// (`employer_arrears`).
#[utoipa::path(
    get,
    path = "/v1/vacancies/search",
    tag = "matching",
    params(
        ("q" = Option<String>, Query, description = "words in Chinese or English; \"phrases\" and -exclusions"),
        ("region" = Option<labex_web::DivisionCode>, Query, description = "division code; a city covers its districts"),
        ("occupation" = Option<String>, Query),
        ("occupation_code" = Option<String>, Query, pattern = "^[0-9](-[0-9]{2}){0,3}$", description = "a code of the occupational classification (职业分类大典 2022) or its prefix: 6-31 (or 6-31-00-00) covers the medium group's minor groups and occupations"),
        ("education" = Option<labex_web::EducationLevel>, Query, description = "the vacancy asks at most this"),
        ("salary_min_yuan" = Option<u32>, Query, format = Int64, minimum = 0, maximum = 4_294_967_295.0, description = "the vacancy can pay at least this"),
        ("welcomes" = Option<Vec<labex_web::JobSeekerCategoryName>>, Query, style = Form, explode = false, description = "categories, comma-separated"),
        ("public_welfare" = Option<bool>, Query),
        ("employer" = Option<String>, Query, format = "uuid"),
        ("posted_after" = Option<String>, Query, format = DateTime, description = "RFC 3339"),
        ("sort" = Option<labex_web::SearchOrder>, Query, description = "relevance (default), newest or salary"),
        ("status" = Option<labex_web::SearchScope>, Query, description = "open (default) or all"),
        ("fair" = Option<String>, Query, format = "uuid", description = "a job fair's id (招聘会): only the vacancies its exhibitors bring"),
        ("limit" = Option<u32>, Query, maximum = 100, description = "at most 100"),
        ("offset" = Option<u32>, Query, maximum = 2000, description = "at most 2,000"),
    ),
    responses(
        (status = 200, description = "hits, facets and highlights", body = ResultsView),
        (status = 400, description = "a bad parameter", body = labex_web::Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such fair (yet)", body = labex_web::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn search(
    app: web::Data<Matching>,
    caller: MaybeCaller,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let results = app.search(params.parse()?).await?;
    let view = marked(&app, caller.0.as_deref(), ResultsView::from(results)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The hits with their employers' wage-arrears marks, when `actor` is
/// office staff (decision 097).
async fn marked(
    app: &Matching,
    actor: Option<&labex_app::Actor>,
    mut view: ResultsView,
) -> Result<ResultsView, ApiError> {
    let employers = view
        .hits
        .iter()
        .filter_map(|hit| hit.employer_id.as_deref())
        .filter_map(|id| labex_domain::EmployerId::parse(id).ok())
        .collect();
    let marks = app.arrears_marks(actor, employers).await?;
    for hit in &mut view.hits {
        hit.employer_arrears = hit
            .employer_id
            .as_deref()
            .and_then(|id| labex_domain::EmployerId::parse(id).ok())
            .and_then(|employer| marks.get(&employer).copied());
    }
    Ok(view)
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
        ("q" = String, Query, min_length = 1, max_length = 50, description = "a Chinese or Latin prefix of 1 to 50 characters"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 20, description = "at most 20"),
    ),
    responses(
        (status = 200, description = "suggestions, most frequent first", body = Suggestions),
        (status = 400, description = "no q, or a bad limit", body = labex_web::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn complete(
    app: web::Data<Matching>,
    _caller: MaybeCaller,
    params: web::Query<CompleteParams>,
) -> Result<HttpResponse, ApiError> {
    let suggestions = app.complete(params.parse()?).await?;
    let suggestions = suggestions
        .into_iter()
        .map(|suggestion| SuggestionView {
            text: suggestion.text,
            count: suggestion.count,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Suggestions { suggestions }))
}

/// Vacancies ranked for one job seeker, with reasons: office staff in
/// scope, and the job seeker. A vacancy coded under an occupation code
/// the job seeker wishes for (求职意向, 职业分类大典 2022: the wished
/// occupation, another of its minor group, or within a wished group) comes
/// before vacancies that only share words, with the reason
/// `{"kind": "occupation_code", "detail": "6-31-01-03 in 6-31-01-00",
/// "field": "occupation_code"}`.
#[utoipa::path(
    get,
    path = "/v1/jobseekers/{id}/matches",
    tag = "matching",
    params(
        ("id" = String, Path, format = "uuid", description = "job seeker id"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 100), ("offset" = Option<u32>, Query, maximum = 2000),
    ),
    responses(
        (status = 200, description = "open vacancies, best first", body = ResultsView),
        (status = 403, description = "outside the caller's scope", body = labex_web::Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such job seeker", body = labex_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn matches(
    app: web::Data<Matching>,
    caller: Caller,
    id: Id<JobSeekerId>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let results = app.matches(&caller, id.get(), params.parse()?).await?;
    let view = marked(&app, Some(&*caller), ResultsView::from(results)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Job seekers ranked for one vacancy, priority groups first among
/// comparable candidates: office staff (their scope's job seekers) and the
/// vacancy's employer (without names or categories before a referral).
/// Job seekers whose wished occupation code covers the vacancy's code come
/// before those who only share words, the closest wish first.
#[utoipa::path(
    get,
    path = "/v1/vacancies/{id}/candidates",
    tag = "matching",
    params(
        ("id" = String, Path, format = "uuid", description = "vacancy id"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 100), ("offset" = Option<u32>, Query, maximum = 2000),
    ),
    responses(
        (status = 200, description = "job seekers, best first, with reasons", body = ResultsView),
        (status = 403, description = "neither the employer nor an office in scope", body = labex_web::Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such vacancy", body = labex_web::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn candidates(
    app: web::Data<Matching>,
    caller: Caller,
    id: Id<VacancyId>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let results = app.candidates(&caller, id.get(), params.parse()?).await?;
    Ok(HttpResponse::Ok().json(ResultsView::from(results)))
}
