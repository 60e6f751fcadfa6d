//! The matching service's use cases: searching, type-ahead, vacancies for
//! a job seeker and candidates for a vacancy. Each takes the caller (where
//! one is needed) and a typed query, decides who may see what, and answers
//! the index's results shaped for that caller; none knows HTTP.

use std::time::Instant;

use labex_app::{Actor, Error, FieldError, InputError, Result, Role};
use labex_domain::jobseeker::JobSeeker;
use labex_domain::vacancy::Vacancy;
use labex_domain::{FairId, JobSeekerId, VacancyId};
use labex_eventsourcing::Repository;
use labex_fairs::FairVacancies;
use labex_search::{
    MatchOptions, SearchError, SearchIndex, SearchResults, Suggestion, VacancySearch,
};
use prometheus::HistogramVec;

use crate::minimum;
use labex_web::feeds::FeedGate;

/// The application: the store, the index, and what bounds the queries.
pub struct Matching {
    pub(crate) repository: Repository,
    pub(crate) index: SearchIndex,
    /// Query latency by kind (search, complete, matches, candidates).
    pub(crate) latency: HistogramVec,
    /// One permit per query running ([`queries_at_once`]); the others
    /// wait their turn in order of arrival.
    running: tokio::sync::Semaphore,
    /// Who may hold a live feed open, and its own store client.
    pub(crate) feed: FeedGate,
    /// Each job fair's vacancies, for `?fair=` (decision record 076).
    fairs: FairVacancies,
    arrears: labex_eventsourcing::ReadModel,
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

/// A search of vacancies, perhaps within one job fair's.
#[derive(Debug, Clone)]
pub struct VacancyQuery {
    pub search: VacancySearch,
    /// Only the vacancies this fair's exhibitors bring.
    pub fair: Option<FairId>,
}

/// A type-ahead query: a prefix of 1 to 50 characters and how many
/// suggestions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub prefix: String,
    pub limit: usize,
}

impl Matching {
    /// The application over `index`, with `latency` observed per kind.
    pub fn new(
        repository: Repository,
        index: SearchIndex,
        latency: HistogramVec,
        feed: FeedGate,
        fairs: FairVacancies,
        arrears: labex_eventsourcing::ReadModel,
    ) -> Self {
        Self {
            repository,
            index,
            latency,
            running: tokio::sync::Semaphore::new(queries_at_once()),
            feed,
            fairs,
            arrears,
        }
    }

    /// The wage-arrears marks (欠薪) of those of `employers` with open
    /// cases, as they stand now: for office staff and the province only.
    pub async fn arrears_marks(
        &self,
        actor: Option<&Actor>,
        employers: Vec<labex_domain::EmployerId>,
    ) -> Result<
        std::collections::BTreeMap<labex_domain::EmployerId, labex_app::arrears_marks::ArrearsMark>,
    > {
        use labex_app::arrears_marks::{marks_of, sees_arrears_marks};
        if !actor.is_some_and(sees_arrears_marks) || employers.is_empty() {
            return Ok(std::collections::BTreeMap::new());
        }
        let marks = self
            .arrears
            .read(move |connection| marks_of(connection, &employers))
            .await?;
        Ok(marks)
    }

    /// Open vacancies (or all, if asked) matching `search`; anyone may
    /// search.
    pub async fn search(&self, query: VacancyQuery) -> Result<SearchResults> {
        let VacancyQuery { mut search, fair } = query;
        if let Some(fair) = fair {
            let vacancies = self
                .fairs
                .vacancy_ids(fair)
                .await
                .map_err(|error| Error::internal(&error))?
                .ok_or_else(|| Error::NotFound {
                    detail: format!(
                        "No fair {fair} is known to search yet; check the id, or retry in a moment if it was just scheduled."
                    ),
                })?;
            search.vacancies = Some(vacancies);
        }
        self.query("search", move |index| index.search_vacancies(&search))
            .await
    }

    /// Words of live vacancies starting with the prefix, most frequent
    /// first; anyone may ask.
    pub async fn complete(&self, completion: Completion) -> Result<Vec<Suggestion>> {
        self.query("complete", move |index| {
            index.complete(&completion.prefix, completion.limit)
        })
        .await
    }

    /// Open vacancies ranked for the job seeker `id`, with reasons: office
    /// staff in the job seeker's scope, and the job seeker.
    pub async fn matches(
        &self,
        actor: &Actor,
        id: JobSeekerId,
        options: MatchOptions,
    ) -> Result<SearchResults> {
        let (jobseeker, _) = self
            .repository
            .get::<JobSeeker>(id)
            .await
            .map_err(|error| {
                not_found_as(
                    error,
                    "No such job seeker exists; check the id in the path.",
                )
            })?;
        if !actor.is_jobseeker(id) {
            actor.may_act_in(&jobseeker.office)?;
        }
        self.query("matches", move |index| {
            index.matches_for(&id.to_string(), &options)
        })
        .await
    }

    /// Job seekers ranked for the vacancy `id`, priority groups first
    /// among comparable candidates. Staff see the job seekers of their own
    /// scope (the province everyone the vacancy could take) with names; the
    /// vacancy's employer sees those of the vacancy's region, as DESIGN's
    /// "Personal data" allows an employer to see them.
    pub async fn candidates(
        &self,
        actor: &Actor,
        id: VacancyId,
        mut options: MatchOptions,
    ) -> Result<SearchResults> {
        let (vacancy, _) = self.repository.get::<Vacancy>(id).await.map_err(|error| {
            not_found_as(error, "No such vacancy exists; check the id in the path.")
        })?;
        actor.may_act_for_employer(vacancy.employer_id, &vacancy.details.region)?;
        match actor.role {
            Role::Counsellor | Role::OfficeAdmin => {
                options.office_scope = Some(actor.office.clone())
            }
            Role::Employer => options.office_scope = Some(vacancy.details.region.clone()),
            _ => {}
        }
        let mut results = self
            .query("candidates", move |index| {
                index.candidates_for(&id.to_string(), &options)
            })
            .await?;
        if actor.role == Role::Employer {
            minimum::for_employer(&self.repository, id, &vacancy, &mut results).await?;
        } else {
            minimum::add_names(&self.repository, &mut results).await?;
        }
        Ok(results)
    }

    /// Runs `query` on the blocking pool once a core is free for it (in
    /// the order queries came), timed as `kind` from its arrival.
    async fn query<T: Send + 'static>(
        &self,
        kind: &'static str,
        query: impl FnOnce(&SearchIndex) -> std::result::Result<T, SearchError> + Send + 'static,
    ) -> Result<T> {
        let index = self.index.clone();
        let started = Instant::now();
        let _permit = self.running.acquire().await.map_err(Error::internal)?;
        let answer = tokio::task::spawn_blocking(move || query(&index))
            .await
            .map_err(Error::internal)?;
        self.latency
            .with_label_values(&[kind])
            .observe(started.elapsed().as_secs_f64());
        answer.map_err(search_error)
    }
}

/// A repository error, with "not found" said as `detail`.
fn not_found_as(error: labex_eventsourcing::RepositoryError, detail: &str) -> Error {
    match error {
        labex_eventsourcing::RepositoryError::NotFound { .. } => Error::not_found(detail),
        other => Error::from_repository(other, false),
    }
}

/// What the index's refusals mean to the client.
fn search_error(error: SearchError) -> Error {
    match error {
        SearchError::LimitTooLarge { .. } => Error::InvalidQuery(vec![FieldError::with_sentence(
            "limit",
            InputError::QueryRange,
            format!("The {error}; ask for a smaller page."),
        )]),
        SearchError::OffsetTooLarge { .. } => Error::InvalidQuery(vec![FieldError::with_sentence(
            "offset",
            InputError::QueryRange,
            format!("The {error}; page no further, or narrow the search."),
        )]),
        SearchError::NotFound { kind, .. } => Error::not_found(format!(
            "No {kind} with this id is in the search index yet; check the id, or retry in a moment if it was just registered."
        )),
        other => Error::internal(other),
    }
}
