//! The outcomes process manager: a trainee's employment — an employment
//! registration (就业登记) or a hire recorded on a referral — within the
//! window after completing a course counts for the course (and so for its
//! provider), as `TraineeEmploymentRecorded` in the course's stream.
//!
//! It follows, in `$all` order, the enrolments and completions of courses
//! and the employment facts of job seekers, and keeps what it needs in its
//! own tables (`<data>/training/outcomes.sqlite`, beside its checkpoint):
//! each job seeker's enrolments and employments. A completion looks at the
//! employments already known, an employment at the enrolments already
//! known, so the order in which they are recorded does not matter. The
//! course's domain decides whether an employment counts (completed, in
//! the window, the first one); a refusal is passed over. Delivery is at
//! least once: the tables take a repeat as nothing new, and every command
//! carries an idempotency key derived from the events behind it.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use labex_app::RuleBook;
use labex_domain::course::{
    Course, CourseCommand, CourseEvent, CourseId, EmploymentSource, EnrolmentId,
    RecordTraineeEmployment, TraineeEnrolled, TrainingCompleted, TrainingRules,
};
use labex_domain::jobseeker::{EmploymentRegistered, JobSeekerEvent};
use labex_domain::referral::{ReferralEvent, ReferralOutcome, ReferralOutcomeRecorded};
use labex_domain::value::DivisionCode;
use labex_domain::{EmployerId, Event, JobSeekerId};
use labex_eventsourcing::{
    EventFilter, ExecuteOptions, IdempotencyKey, ProcessManager, ProjectionError, ProjectionRunner,
    Repository, RunnerOptions, StoredEvent, pass_over_refusal, reaction_context, start_process,
};
use rusqlite::{Connection, params};

/// The name of its checkpoint.
pub const OUTCOMES_PROCESS: &str = "training-outcomes";
/// The actor its events name.
pub const OUTCOMES_ACTOR: &str = "process:training-outcomes";
/// Its database in the service's folder.
pub const OUTCOMES_FILE: &str = "outcomes.sqlite";

/// The outcomes process manager.
pub struct OutcomesProcess {
    repository: Repository,
    rules: Arc<RuleBook<TrainingRules>>,
    tables: Arc<Mutex<Connection>>,
}

/// An employment as the process keeps it.
#[derive(Debug, Clone)]
struct Employment {
    event_id: String,
    started_on: NaiveDate,
    employer_id: Option<EmployerId>,
    source: EmploymentSource,
}

/// An enrolment as the process keeps it.
#[derive(Debug, Clone)]
struct Trainee {
    course_id: CourseId,
    enrolment_id: EnrolmentId,
    office: Option<DivisionCode>,
}

impl OutcomesProcess {
    /// Runs the process on a task of the current runtime; its tables and
    /// checkpoint live in `path`.
    pub fn start(
        repository: Repository,
        rules: Arc<RuleBook<TrainingRules>>,
        path: &Path,
    ) -> rusqlite::Result<ProjectionRunner> {
        let tables = open(path)?;
        tables.execute_batch(
            "CREATE TABLE IF NOT EXISTS outcome_trainees (
                jobseeker_id TEXT NOT NULL,
                enrolment_id TEXT NOT NULL,
                course_id TEXT NOT NULL,
                office TEXT,
                PRIMARY KEY (jobseeker_id, enrolment_id)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS outcome_employments (
                jobseeker_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                started_on TEXT NOT NULL,
                employer_id TEXT,
                source TEXT NOT NULL,
                PRIMARY KEY (jobseeker_id, event_id)
            ) WITHOUT ROWID;",
        )?;
        let checkpoint = open(path)?;
        let client = repository.client().clone();
        let process = Self {
            repository,
            rules,
            tables: Arc::new(Mutex::new(tables)),
        };
        Ok(start_process(
            client,
            checkpoint,
            process,
            RunnerOptions::default(),
        ))
    }

    async fn tables<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, ProjectionError> {
        let tables = Arc::clone(&self.tables);
        tokio::task::spawn_blocking(move || {
            let connection = tables.lock().map_err(|_| {
                ProjectionError::Worker("the outcomes tables' lock is poisoned".to_owned())
            })?;
            Ok(work(&connection)?)
        })
        .await
        .map_err(|error| ProjectionError::Worker(error.to_string()))?
    }

    async fn enrolled(
        &self,
        event: &StoredEvent,
        enrolled: &TraineeEnrolled,
    ) -> Result<(), ProjectionError> {
        let row = (
            enrolled.jobseeker_id.to_string(),
            enrolled.enrolment_id.to_string(),
            enrolled.course_id.to_string(),
            event
                .metadata
                .office
                .as_ref()
                .map(|office| office.as_str().to_owned()),
        );
        self.tables(move |connection| {
            connection
                .prepare_cached(
                    "INSERT OR IGNORE INTO outcome_trainees (jobseeker_id, enrolment_id, course_id, office)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![row.0, row.1, row.2, row.3])
                .map(|_| ())
        })
        .await
    }

    async fn completed(
        &self,
        event: &StoredEvent,
        completed: &TrainingCompleted,
    ) -> Result<(), ProjectionError> {
        let jobseeker = completed.jobseeker_id.to_string();
        let employments = self
            .tables(move |connection| employments_of(connection, &jobseeker))
            .await?;
        let trainee = Trainee {
            course_id: completed.course_id,
            enrolment_id: completed.enrolment_id,
            office: event.metadata.office.clone(),
        };
        for employment in employments {
            if self.record(event, &trainee, &employment).await? {
                break;
            }
        }
        Ok(())
    }

    async fn employed(
        &self,
        event: &StoredEvent,
        jobseeker_id: JobSeekerId,
        employment: Employment,
    ) -> Result<(), ProjectionError> {
        let jobseeker = jobseeker_id.to_string();
        let kept = employment.clone();
        let trainees = self
            .tables(move |connection| {
                connection
                    .prepare_cached(
                        "INSERT OR IGNORE INTO outcome_employments
                            (jobseeker_id, event_id, started_on, employer_id, source)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![
                        jobseeker,
                        kept.event_id,
                        kept.started_on.to_string(),
                        kept.employer_id.map(|id| id.to_string()),
                        kept.source.as_str(),
                    ])?;
                trainees_of(connection, &jobseeker)
            })
            .await?;
        for trainee in trainees {
            self.record(event, &trainee, &employment).await?;
        }
        Ok(())
    }

    /// Asks the course to count `employment` for `trainee`; whether it
    /// now counts (recorded, or recorded before).
    async fn record(
        &self,
        event: &StoredEvent,
        trainee: &Trainee,
        employment: &Employment,
    ) -> Result<bool, ProjectionError> {
        let window_months = match &trainee.office {
            Some(office) => self.rules.for_office(office).employment_window_months,
            None => self.rules.province().employment_window_months,
        };
        let command = CourseCommand::RecordEmployment(RecordTraineeEmployment {
            enrolment_id: trainee.enrolment_id,
            started_on: employment.started_on,
            employer_id: employment.employer_id,
            source: employment.source,
            window_months,
        });
        let key = IdempotencyKey::parse(&format!(
            "{OUTCOMES_PROCESS}:{}:{}:{}",
            event.id, trainee.enrolment_id, employment.event_id
        ))
        .expect("uuids make a visible-ascii key");
        let mut context = reaction_context(event, OUTCOMES_ACTOR);
        if trainee.office.is_some() {
            context.office = trainee.office.clone();
        }
        let outcome = self
            .repository
            .execute_with::<Course>(
                trainee.course_id,
                command,
                &context,
                ExecuteOptions::default().idempotency_key(key),
            )
            .await;
        let counted = match &outcome {
            Ok(executed) => executed
                .state
                .as_ref()
                .and_then(|course| course.enrolments.get(&trainee.enrolment_id))
                .is_some_and(|enrolment| enrolment.employment.is_some()),
            Err(_) => false,
        };
        pass_over_refusal(
            OUTCOMES_PROCESS,
            &trainee.course_id.stream_name(),
            outcome.map(|_| ()),
        )?;
        Ok(counted)
    }
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(connection)
}

fn employments_of(connection: &Connection, jobseeker: &str) -> rusqlite::Result<Vec<Employment>> {
    let mut statement = connection.prepare_cached(
        "SELECT event_id, started_on, employer_id, source FROM outcome_employments
         WHERE jobseeker_id = ?1 ORDER BY started_on, event_id",
    )?;
    let rows = statement.query_map([jobseeker], |row| {
        let started_on: String = row.get(1)?;
        let employer_id: Option<String> = row.get(2)?;
        let source: String = row.get(3)?;
        Ok(Employment {
            event_id: row.get(0)?,
            started_on: NaiveDate::parse_from_str(&started_on, "%Y-%m-%d").unwrap_or_default(),
            employer_id: employer_id.and_then(|id| EmployerId::parse(&id).ok()),
            source: if source == "hire" {
                EmploymentSource::Hire
            } else {
                EmploymentSource::EmploymentRegistration
            },
        })
    })?;
    rows.collect()
}

fn trainees_of(connection: &Connection, jobseeker: &str) -> rusqlite::Result<Vec<Trainee>> {
    let mut statement = connection.prepare_cached(
        "SELECT course_id, enrolment_id, office FROM outcome_trainees WHERE jobseeker_id = ?1",
    )?;
    let rows = statement.query_map([jobseeker], |row| {
        let course: String = row.get(0)?;
        let enrolment: String = row.get(1)?;
        let office: Option<String> = row.get(2)?;
        Ok((course, enrolment, office))
    })?;
    let mut trainees = Vec::new();
    for row in rows {
        let (course, enrolment, office) = row?;
        if let (Ok(course_id), Ok(enrolment_id)) =
            (CourseId::parse(&course), EnrolmentId::parse(&enrolment))
        {
            trainees.push(Trainee {
                course_id,
                enrolment_id,
                office: office.and_then(|office| DivisionCode::parse(&office).ok()),
            });
        }
    }
    Ok(trainees)
}

impl ProcessManager for OutcomesProcess {
    fn name(&self) -> &str {
        OUTCOMES_PROCESS
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types([
            TraineeEnrolled::EVENT_TYPE,
            TrainingCompleted::EVENT_TYPE,
            EmploymentRegistered::EVENT_TYPE,
            ReferralOutcomeRecorded::EVENT_TYPE,
        ])
    }

    async fn react(&self, event: &StoredEvent) -> Result<(), ProjectionError> {
        match &event.event {
            Event::Course(CourseEvent::Enrolled(enrolled)) => self.enrolled(event, enrolled).await,
            Event::Course(CourseEvent::Completed(completed)) => {
                self.completed(event, completed).await
            }
            Event::JobSeeker(JobSeekerEvent::EmploymentRegistered(registered)) => {
                let employment = Employment {
                    event_id: event.id.to_string(),
                    started_on: registered.started_on,
                    employer_id: registered.employer_id,
                    source: EmploymentSource::EmploymentRegistration,
                };
                self.employed(event, registered.jobseeker_id, employment)
                    .await
            }
            Event::Referral(ReferralEvent::OutcomeRecorded(outcome))
                if outcome.outcome == ReferralOutcome::Hired =>
            {
                let employment = Employment {
                    event_id: event.id.to_string(),
                    started_on: outcome.date,
                    employer_id: Some(outcome.employer_id),
                    source: EmploymentSource::Hire,
                };
                self.employed(event, outcome.jobseeker_id, employment).await
            }
            _ => Ok(()),
        }
    }
}
