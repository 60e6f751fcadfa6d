//! Readiness: a service's projections and process managers ([`Runners`]),
//! each a check that it is caught up with `$all` within
//! [`READY_LAG_EVENTS`] and reports its lag; and [`StoreReachable`], the
//! check that the event store answers. The host exports every reported
//! lag as `labex_projection_lag_events{projection=…}`.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use kurrentdb::{Client, ReadAllOptions};
use labex_eventsourcing::{LAG_COUNT_LIMIT, Lag, ProjectionRunner, reads};
use prometheus::{IntGaugeVec, Opts, Registry};
use tokio::sync::Mutex;

use crate::ops::{LagReport, Readiness, ReadinessCheck};

/// The projections and process managers of a service: each is a readiness
/// check (caught up with `$all` within a bound) and is stopped with the
/// service.
#[derive(Clone, Default)]
pub struct Runners {
    runners: Arc<Mutex<Vec<ProjectionRunner>>>,
}

/// How far behind `$all` a projection may be and still count as ready.
pub const READY_LAG_EVENTS: u64 = 1_000;

impl Runners {
    /// Holds `runner` until [`stop`](Self::stop).
    pub async fn add(&self, runner: ProjectionRunner) {
        self.runners.lock().await.push(runner);
    }

    /// One readiness check per runner held now.
    pub async fn checks(&self) -> Vec<Arc<dyn ReadinessCheck>> {
        let runners = self.runners.lock().await;
        (0..runners.len())
            .map(|index| {
                Arc::new(RunnerCaughtUp {
                    runners: self.clone(),
                    index,
                    name: runners[index].name().to_owned(),
                }) as Arc<dyn ReadinessCheck>
            })
            .collect()
    }

    /// How far each runner held now is behind `$all`, by name.
    pub async fn lags(&self) -> Vec<(String, Option<labex_eventsourcing::Lag>)> {
        let runners = self.runners.lock().await;
        let mut lags = Vec::with_capacity(runners.len());
        for runner in runners.iter() {
            lags.push((runner.name().to_owned(), runner.lag().await.ok()));
        }
        lags
    }

    /// Stops every runner after the batch in hand; a runner that had
    /// failed is logged.
    pub async fn stop(&self) {
        let runners = std::mem::take(&mut *self.runners.lock().await);
        for runner in runners {
            let name = runner.name().to_owned();
            match runner.stop().await {
                Ok(()) => tracing::info!(runner = %name, "stopped, checkpoint saved"),
                Err(error) => tracing::error!(runner = %name, error = %error, "had failed"),
            }
        }
    }
}

struct RunnerCaughtUp {
    runners: Runners,
    index: usize,
    name: String,
}

impl ReadinessCheck for RunnerCaughtUp {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.report().await.outcome })
    }

    fn report(&self) -> BoxFuture<'_, Readiness> {
        Box::pin(async move {
            let runners = self.runners.runners.lock().await;
            runner_readiness(runners.get(self.index)).await
        })
    }
}

/// The readiness of a runner (`None`: stopped): caught up within
/// [`READY_LAG_EVENTS`], with its lag. For a runner a service keeps out of
/// its [`Runners`] (one its use cases wait on) to report as they do.
pub async fn runner_readiness(runner: Option<&ProjectionRunner>) -> Readiness {
    let Some(runner) = runner else {
        return Readiness {
            outcome: Err("stopped".to_owned()),
            lag: None,
        };
    };
    match runner.lag().await {
        Ok(lag) => Readiness {
            outcome: lag_outcome(&lag),
            lag: Some(LagReport::from(&lag)),
        },
        Err(error) => Readiness {
            outcome: Err(error.to_string()),
            lag: None,
        },
    }
}

/// Ready when caught up or at most [`READY_LAG_EVENTS`] behind.
pub fn lag_outcome(lag: &Lag) -> Result<(), String> {
    if lag.caught_up() || lag.pending_events <= READY_LAG_EVENTS {
        Ok(())
    } else {
        Err(format!("{} events behind the store", lag.pending_events))
    }
}

impl From<&Lag> for LagReport {
    fn from(lag: &Lag) -> Self {
        Self {
            lag_events: lag.pending_events,
            lag_counted_up_to: LAG_COUNT_LIMIT,
            position: lag.checkpoint.map(|position| position.commit),
            head_position: lag.head.map(|position| position.commit),
            ready_within_events: READY_LAG_EVENTS,
        }
    }
}

/// Ready when the event store answers a one-event read of `$all`.
pub struct StoreReachable {
    client: Client,
}

impl StoreReachable {
    /// A check through `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl ReadinessCheck for StoreReachable {
    fn name(&self) -> &str {
        "event_store"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let read = reads::last_position(&self.client, ReadAllOptions::default());
            match tokio::time::timeout(Duration::from_secs(2), read).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(error)) => Err(format!("the event store refused a read: {error}")),
                Err(_) => Err("the event store did not answer within 2 s".to_owned()),
            }
        })
    }
}

/// How often the host publishes each projection's lag.
const LAG_INTERVAL: Duration = Duration::from_secs(2);

/// Publishes, every two seconds, the lag of every check that reports one
/// (every projection and process manager of every service) as
/// `labex_projection_lag_events{projection=<name>}`. Ends with the
/// returned task (abort it when the host stops).
pub(crate) fn export_lags(
    checks: Vec<Arc<dyn ReadinessCheck>>,
    registry: &Registry,
) -> tokio::task::JoinHandle<()> {
    let gauge = IntGaugeVec::new(
        Opts::new(
            "labex_projection_lag_events",
            "Events a projection or process manager has yet to handle (counted up to 10000)",
        ),
        &["projection"],
    )
    .expect("the lag gauge is well formed");
    registry
        .register(Box::new(gauge.clone()))
        .expect("the lag gauge is registered once");
    tokio::spawn(async move {
        loop {
            for check in &checks {
                if let Some(lag) = check.report().await.lag {
                    gauge
                        .with_label_values(&[check.name()])
                        .set(i64::try_from(lag.lag_events).unwrap_or(i64::MAX));
                }
            }
            tokio::time::sleep(LAG_INTERVAL).await;
        }
    })
}
