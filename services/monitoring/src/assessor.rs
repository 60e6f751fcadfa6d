//! The warning assessor: follows the regions and months whose indicators
//! changed (the read model's `dirty` marks), assesses each region — the
//! county, its city and its province — with the rules in force there, and
//! executes the assessment on the region's warning, which records a
//! `WarningLevelChanged` event only when the level moves.
//!
//! A region's warning keeps a level per month, and a standing level of
//! the current month and the closed month before it (decision 098): when
//! the month turns (and once at start), every region with a warning is
//! assessed for the new month, so that a standing level of a month no
//! longer closed-and-latest falls, by an event like any other change.
//!
//! It runs as one task beside the projection. It remembers the last mark
//! it assessed in memory only: after a restart it assesses every marked
//! region once more, which changes nothing where the level stands, since
//! the warning's `decide` records only changes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use labex_app::RuleBook;
use labex_domain::china_date;
use labex_domain::monitoring::Period;
use labex_domain::value::DivisionCode;
use labex_domain::warning::{AssessRegion, RegionWarning, WarningCommand, WarningId, assess};
use labex_eventsourcing::{EventContext, ExecuteOptions, ReadModel, Repository};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::commands::MonitoringRules;
use crate::read_model;

/// How often the marks are looked at.
pub const POLL: Duration = Duration::from_millis(200);
/// The actor of the assessor's events.
pub const ACTOR: &str = "monitoring-warning";

/// The running assessor.
pub struct Assessor {
    stop: watch::Sender<bool>,
    task: tokio::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Assessor {
    /// Starts assessing on the current runtime.
    pub fn start(
        repository: Repository,
        read_model: ReadModel,
        rules: RuleBook<MonitoringRules>,
    ) -> Self {
        let rules = Arc::new(rules);
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut seen = 0_i64;
            let mut month_seen: Option<Period> = None;
            loop {
                let current = Period::of(china_date(Utc::now()));
                if month_seen != Some(current) {
                    match assess_month_turn(&repository, &read_model, &rules, current).await {
                        Ok(()) => month_seen = Some(current),
                        Err(error) => {
                            tracing::warn!(%error, "assessment of a new month failed; trying again");
                        }
                    }
                }
                match assess_marked(&repository, &read_model, &rules, seen, current).await {
                    Ok(newest) => seen = newest,
                    Err(error) => tracing::warn!(%error, "warning assessment failed; trying again"),
                }
                tokio::select! {
                    _ = stopped.changed() => break,
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        });
        Self {
            stop,
            task: tokio::sync::Mutex::new(Some(task)),
        }
    }

    /// Stops after the assessment in hand.
    pub async fn stop(&self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.lock().await.take() {
            let _ = task.await;
        }
    }
}

/// Assesses every region that has a warning for the month it is now
/// (`current`), which moves the standing levels the turn of the month
/// changes.
async fn assess_month_turn(
    repository: &Repository,
    read_model: &ReadModel,
    rules: &RuleBook<MonitoringRules>,
    current: Period,
) -> Result<(), String> {
    let regions = read_model
        .read(read_model::warned_regions)
        .await
        .map_err(|error| error.to_string())?;
    for region in regions {
        let Ok(region) = DivisionCode::parse(&region) else {
            continue;
        };
        assess_region(repository, read_model, rules, region, current, current).await?;
    }
    Ok(())
}

/// Assesses every region marked after `seen`; answers the newest mark.
async fn assess_marked(
    repository: &Repository,
    read_model: &ReadModel,
    rules: &RuleBook<MonitoringRules>,
    seen: i64,
    current: Period,
) -> Result<i64, String> {
    let marks = read_model
        .read(move |connection| read_model::dirty_since(connection, seen))
        .await
        .map_err(|error| error.to_string())?;
    let Some(newest) = marks.iter().map(|(_, _, seq)| *seq).max() else {
        return Ok(seen);
    };
    let mut regions: BTreeSet<(DivisionCode, Period)> = BTreeSet::new();
    for (region, period, _) in &marks {
        let (Ok(region), Ok(period)) = (DivisionCode::parse(region), Period::parse(period)) else {
            continue;
        };
        regions.insert((region.province(), period));
        if let Some(city) = region.city() {
            regions.insert((city, period));
        }
        regions.insert((region, period));
    }
    for (region, period) in regions {
        assess_region(repository, read_model, rules, region, period, current).await?;
    }
    Ok(newest)
}

/// Assesses one region's month, when it is `current`, and records a
/// change of the month's level or of the region's standing level.
pub async fn assess_region(
    repository: &Repository,
    read_model: &ReadModel,
    rules: &RuleBook<MonitoringRules>,
    region: DivisionCode,
    period: Period,
    current: Period,
) -> Result<(), String> {
    let warning_rules = rules.for_office(&region).warnings.clone();
    let months = i32::try_from(warning_rules.months_needed()).unwrap_or(15);
    let within = region.clone();
    let series = read_model
        .read(move |connection| {
            read_model::series(connection, &within, period.plus(1 - months), period)
        })
        .await
        .map_err(|error| error.to_string())?;
    let assessment = assess(&warning_rules, &series, period);
    let context = EventContext::for_request(uuid::Uuid::now_v7(), ACTOR, Some(region.clone()));
    let command = WarningCommand::Assess(AssessRegion {
        region: region.clone(),
        period,
        assessment,
        current,
        at: Utc::now(),
    });
    repository
        .execute_with::<RegionWarning>(
            WarningId::of(&region),
            command,
            &context,
            ExecuteOptions::default(),
        )
        .await
        .map_err(|error| error.to_string())?;
    Ok(())
}
