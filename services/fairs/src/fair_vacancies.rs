//! Which vacancies each fair's exhibitors bring, for a search of one fair
//! (`GET /v1/vacancies/search?fair=`): a small read model that the
//! matching service keeps in its own folder from the fairs' streams, so
//! that it asks no other service (decision record 076). A fair's set is
//! read with one indexed range scan and handed to the search as a filter.

use std::path::Path;

use labex_domain::fair::FairEvent;
use labex_domain::{Event, FairId, VacancyId};
use labex_eventsourcing::{
    EventFilter, Projection, ProjectionError, ProjectionRunner, ReadModel, ReadModelError,
    StoredEvent, kurrentdb::Client,
};
use rusqlite::{OptionalExtension, Transaction, params};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "fair-vacancies";

/// The fairs' vacancy sets, as a read model.
#[derive(Clone)]
pub struct FairVacancies {
    read_model: ReadModel,
}

impl FairVacancies {
    /// Opens (or creates) the read model at `path` and starts the
    /// projection that keeps it.
    pub fn start(path: &Path, client: Client) -> rusqlite::Result<(Self, ProjectionRunner)> {
        let (read_model, runner) = ReadModel::start(path, client, FairVacancyProjection)?;
        Ok((Self { read_model }, runner))
    }

    /// The vacancies of `fair`'s exhibitors; `None` for a fair the read
    /// model does not know (never scheduled, or not yet projected).
    pub async fn vacancy_ids(
        &self,
        fair: FairId,
    ) -> Result<Option<Vec<VacancyId>>, ReadModelError> {
        self.read_model
            .read(move |connection| {
                let known: Option<i64> = connection
                    .query_row(
                        "SELECT 1 FROM known_fairs WHERE fair_id = ?1",
                        [fair.to_string()],
                        |row| row.get(0),
                    )
                    .optional()?;
                if known.is_none() {
                    return Ok(None);
                }
                let mut statement = connection
                    .prepare_cached("SELECT vacancy_id FROM fair_vacancies WHERE fair_id = ?1")?;
                let ids = statement
                    .query_map([fair.to_string()], |row| row.get::<_, String>(0))?
                    .filter_map(|id| id.ok().and_then(|id| VacancyId::parse(&id).ok()))
                    .collect();
                Ok(Some(ids))
            })
            .await
    }
}

/// Keeps `known_fairs` and `fair_vacancies`.
pub struct FairVacancyProjection;

impl Projection for FairVacancyProjection {
    fn name(&self) -> &str {
        PROJECTION
    }

    fn filter(&self) -> EventFilter {
        EventFilter::stream_prefixes(["fair-"])
    }

    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS known_fairs (fair_id TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS fair_vacancies (
                fair_id TEXT NOT NULL,
                vacancy_id TEXT NOT NULL,
                employer_id TEXT NOT NULL,
                PRIMARY KEY (fair_id, vacancy_id)
            ) WITHOUT ROWID;",
        )
    }

    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let Event::Fair(fair_event) = &event.event else {
            return Ok(());
        };
        match fair_event {
            FairEvent::Scheduled(scheduled) => {
                transaction.execute(
                    "INSERT OR IGNORE INTO known_fairs (fair_id) VALUES (?1)",
                    [scheduled.fair_id.to_string()],
                )?;
            }
            FairEvent::ExhibitorJoined(joined) => {
                let fair = joined.fair_id.to_string();
                let employer = joined.employer_id.to_string();
                for vacancy in &joined.vacancy_ids {
                    insert(transaction, &fair, vacancy, &employer)?;
                }
            }
            FairEvent::ExhibitorVacanciesAdded(added) => {
                let fair = added.fair_id.to_string();
                let employer = added.employer_id.to_string();
                for vacancy in &added.vacancy_ids {
                    insert(transaction, &fair, vacancy, &employer)?;
                }
            }
            FairEvent::ExhibitorLeft(left) => {
                transaction.execute(
                    "DELETE FROM fair_vacancies WHERE fair_id = ?1 AND employer_id = ?2",
                    params![left.fair_id.to_string(), left.employer_id.to_string()],
                )?;
            }
            _ => {}
        }
        Ok(())
    }
}

fn insert(
    transaction: &Transaction<'_>,
    fair: &str,
    vacancy: &VacancyId,
    employer: &str,
) -> rusqlite::Result<()> {
    transaction.execute(
        "INSERT OR IGNORE INTO fair_vacancies (fair_id, vacancy_id, employer_id) VALUES (?1, ?2, ?3)",
        params![fair, vacancy.to_string(), employer],
    )?;
    Ok(())
}
