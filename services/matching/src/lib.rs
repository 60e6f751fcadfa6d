//! Search and matching, what graduates, migrant workers and laid-off staff
//! see of Labex and what counsellors find candidates with: vacancy search
//! with filters, facets and highlights, type-ahead, vacancies ranked for a
//! job seeker, job seekers ranked for a vacancy (priority groups first
//! among comparable candidates), and the vacancy change feed.
//!
//! The index is `labex-search`'s Tantivy index under
//! `<data>/matching/index`, kept by a projection of the vacancy and
//! job-seeker streams whose `$all` position lives in each commit; search
//! runs on the blocking pool. Mounted by `labex`, or run alone as
//! `labex-matching`; `labex reindex` rebuilds the index from the store.

mod feed;
mod minimum;
mod public;
mod queries;
mod reindex;
mod requests;
mod routes;
mod views;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use futures::future::BoxFuture;
use labex_eventsourcing::{ProjectionRunner, RunnerOptions};

use labex_app::arrears_marks::ArrearsMarks;
use labex_eventsourcing::{ReadModel, StateProjection};
use labex_search::{IndexOptions, SearchIndex, SearchProjection};
use labex_web::{ReadinessCheck, Runners, Service, ServiceContext, StartError, Starting};
use prometheus::{Histogram, HistogramOpts, HistogramVec};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

pub use feed::{FeedItem, MAX_FEED_PAGE, NEXT_HEADER};
pub use labex_web::feeds::{FeedLimits, format_position};
pub use minimum::handle as candidate_handle;
pub use queries::{Completion, Matching};
pub use reindex::{ReindexError, ReindexProgress, reindex};
pub use views::{HitView, ResultsView};

/// The service's name and the folder of its files under the data folder.
pub const NAME: &str = "matching";

/// The index folder under a data folder.
pub fn index_folder(data: &Path) -> PathBuf {
    data.join(NAME).join("index")
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        routes::search,
        routes::complete,
        routes::matches,
        routes::candidates,
        feed::feed,
    ),
    components(schemas(
        ResultsView,
        HitView,
        routes::Suggestions,
        routes::SuggestionView,
        FeedItem,
        labex_app::arrears_marks::ArrearsMark,
    )),
    tags((name = "matching", description = "search, type-ahead, matches, candidates and the vacancy feed"))
)]
struct ApiDoc;

/// The running service.
pub struct MatchingService {
    app: web::Data<Matching>,
    runners: Runners,
    checks: Vec<Arc<dyn ReadinessCheck>>,
    /// Seconds from the store recording a change to its being searchable.
    searchable_lag: Histogram,
}

impl MatchingService {
    /// Opens (or creates, or rebuilds after a schema change) the index
    /// under `<data>/matching/index` and starts its projection.
    pub async fn start(context: ServiceContext) -> Result<Self, StartError> {
        let folder = index_folder(&context.data);
        // A commit costs tens of milliseconds of fsyncs; grouping changes
        // for 60 ms keeps a new vacancy's way into search near 100 ms.
        // One indexing thread and single-threaded searches: the HTTP
        // workers, the store and the other projections share the machine,
        // and one thread indexes far faster than offices register.
        let options = IndexOptions {
            commit_interval: Duration::from_millis(60),
            writer_threads: 1,
            search_threads: 1,
            ..IndexOptions::default()
        };
        let (index, opening) =
            SearchIndex::open(&folder, options).starting("cannot open the search index")?;
        if opening.must_replay_from_start() {
            tracing::warn!(
                ?opening,
                "the search index is rebuilt from the start of the store"
            );
        }
        let runners = Runners::default();
        runners
            .add(ProjectionRunner::spawn(
                context.repository.client().clone(),
                SearchProjection::new(index.clone()),
                RunnerOptions {
                    batch_size: 1_024,
                    // The index stores checkpoints at its own pace and publishes
                    // what is searchable from every one it is handed.
                    checkpoint_interval: Duration::ZERO,
                    ..RunnerOptions::default()
                },
            ))
            .await;
        // Each fair's vacancies, for `?fair=` (decision record 076).
        let (fairs, fair_runner) = labex_fairs::FairVacancies::start(
            &context.data.join(NAME).join("fairs.sqlite"),
            context.repository.client().clone(),
        )
        .starting("cannot open the fairs' vacancy sets")?;
        runners.add(fair_runner).await;
        // Employers' open wage-arrears cases, marked for staff (097).
        let (arrears, arrears_runner) = ReadModel::start(
            &context
                .service_folder(NAME)
                .starting("cannot create the matching folder")?
                .join("arrears-marks.sqlite"),
            context.repository.client().clone(),
            StateProjection::new(ArrearsMarks),
        )
        .starting("cannot open the wage-arrears marks")?;
        runners.add(arrears_runner).await;
        let checks = runners.checks().await;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "labex_search_query_duration_seconds",
                "Time to answer a search, type-ahead, match or candidate query",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
            ]),
            &["kind"],
        )
        .starting("a search metric is malformed")?;
        let searchable_lag = Histogram::with_opts(
            HistogramOpts::new(
                "labex_search_lag_seconds",
                "Time from the store recording a vacancy or job-seeker change to its being searchable",
            )
            .buckets(vec![
                0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
            ]),
        )
        .starting("a search metric is malformed")?;
        let feed = context.feeds.clone();
        let observed = searchable_lag.clone();
        index.on_searchable(move |waited| observed.observe(waited.as_secs_f64()));
        Ok(Self {
            app: web::Data::new(Matching::new(
                context.repository,
                index,
                latency,
                feed,
                fairs,
                arrears,
            )),
            runners,
            checks,
            searchable_lag,
        })
    }

    /// The index, for tests and the benchmark.
    pub fn index(&self) -> &SearchIndex {
        &self.app.index
    }
}

impl Service for MatchingService {
    fn name(&self) -> &'static str {
        NAME
    }

    fn configure(&self, config: &mut web::ServiceConfig) {
        config.app_data(self.app.clone());
        routes::configure(config);
    }

    fn openapi(&self) -> OpenApi {
        ApiDoc::openapi()
    }

    fn readiness(&self) -> Vec<Arc<dyn ReadinessCheck>> {
        self.checks.clone()
    }

    fn register_metrics(&self, registry: &prometheus::Registry) {
        for collector in [
            Box::new(self.app.latency.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(self.searchable_lag.clone()),
        ] {
            if let Err(error) = registry.register(collector) {
                tracing::warn!(error = %error, "a search metric could not be registered");
            }
        }
    }

    fn stop(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.runners.stop().await;
            if let Err(error) = self.app.index.flush() {
                tracing::error!(error = %error, "the search index could not be flushed");
            }
        })
    }
}
