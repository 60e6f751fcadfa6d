//! The training read model, written from each course's state as the
//! domain folds it ([`StateView`]): a row per course (with its text,
//! analysed as vacancies are, in an FTS5 table for search), and a row per
//! enrolment, from which a course's and a provider's outcomes are counted.
//!
//! Only the rows an event touches are written: the course's, and the
//! enrolment it names.

use chrono::NaiveDate;
use labex_domain::course::{Course, CourseEvent, Enrolment, EnrolmentId};
use labex_domain::value::OccupationCode;
use labex_domain::{Event, rfc3339_millis};
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
use labex_search::fts;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "course-list";

/// Keeps the `courses`, `course_text` and `enrolments` tables.
pub struct CourseList;

impl StateView for CourseList {
    type State = Course;

    fn name(&self) -> &str {
        PROJECTION
    }

    fn version(&self) -> u32 {
        // 2: one FTS5 column of words, marked title words and filter tags
        // (docs/decisions/094); 3: an occupation's code tagged at every
        // level and searched by its title; 4: n-grams of the titles.
        4
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch(
                "DROP TABLE IF EXISTS courses;
                 DROP TABLE IF EXISTS course_text;
                 DROP TABLE IF EXISTS enrolments;",
            )?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS courses (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                provider_id TEXT NOT NULL,
                office TEXT NOT NULL,
                title TEXT NOT NULL,
                kind TEXT NOT NULL,
                occupation TEXT,
                region TEXT NOT NULL,
                starts_on TEXT NOT NULL,
                ends_on TEXT NOT NULL,
                hours INTEGER NOT NULL,
                seats INTEGER NOT NULL,
                seats_taken INTEGER NOT NULL,
                waiting INTEGER NOT NULL,
                subsidy_per_trainee_fen INTEGER NOT NULL,
                order_employer_id TEXT,
                committed_hires INTEGER,
                opened_at TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS courses_starts ON courses (starts_on);
            CREATE INDEX IF NOT EXISTS courses_provider ON courses (provider_id);
            CREATE VIRTUAL TABLE IF NOT EXISTS course_text USING fts5 (
                text, tokenize = 'unicode61 remove_diacritics 0'
            );
            CREATE TABLE IF NOT EXISTS enrolments (
                id TEXT PRIMARY KEY,
                course_id TEXT NOT NULL,
                provider_id TEXT NOT NULL,
                jobseeker_id TEXT NOT NULL,
                status TEXT NOT NULL,
                completed_on TEXT,
                left_on TEXT,
                level TEXT,
                passed INTEGER,
                employed_on TEXT,
                employer_id TEXT
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS enrolments_course ON enrolments (course_id);
            CREATE INDEX IF NOT EXISTS enrolments_provider ON enrolments (provider_id);",
        )
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        course: &Course,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let Event::Course(course_event) = &event.event else {
            return Ok(());
        };
        let id = course.id.to_string();
        let details = &course.details;
        let order = details.order.as_ref();
        transaction
            .prepare_cached(
                "INSERT INTO courses (id, provider_id, office, title, kind, occupation, region,
                    starts_on, ends_on, hours, seats, seats_taken, waiting,
                    subsidy_per_trainee_fen, order_employer_id, committed_hires, opened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                 ON CONFLICT (id) DO UPDATE SET
                    seats_taken = excluded.seats_taken, waiting = excluded.waiting",
            )?
            .execute(params![
                id,
                course.provider_id.to_string(),
                course.office.as_str(),
                details.title.as_str(),
                details.kind.as_str(),
                details
                    .occupation
                    .as_ref()
                    .map(|occupation| occupation.as_str()),
                details.region.as_str(),
                details.starts_on.to_string(),
                details.ends_on.to_string(),
                details.hours.get(),
                details.seats.get(),
                course.seats_taken(),
                course.waiting.len(),
                i64::from(details.subsidy_per_trainee_fen),
                order.map(|order| order.employer_id.to_string()),
                order.map(|order| order.committed_hires.get()),
                rfc3339_millis(course.opened_at),
            ])?;
        if let CourseEvent::Opened(_) = course_event {
            let seq: i64 = transaction
                .prepare_cached("SELECT seq FROM courses WHERE id = ?1")?
                .query_row([&id], |row| row.get(0))?;
            transaction
                .prepare_cached("DELETE FROM course_text WHERE rowid = ?1")?
                .execute([seq])?;
            transaction
                .prepare_cached("INSERT INTO course_text (rowid, text) VALUES (?1, ?2)")?
                .execute(params![seq, indexed_words(course)])?;
        }
        if let Some(enrolment) = course_event
            .enrolment_id()
            .and_then(|enrolment_id| course.enrolments.get(&enrolment_id))
        {
            write_enrolment(transaction, course, enrolment)?;
        }
        Ok(())
    }
}

fn write_enrolment(
    transaction: &Transaction<'_>,
    course: &Course,
    enrolment: &Enrolment,
) -> rusqlite::Result<()> {
    let appraisal = enrolment.appraisal.as_ref();
    let employment = enrolment.employment.as_ref();
    transaction
        .prepare_cached(
            "INSERT INTO enrolments (id, course_id, provider_id, jobseeker_id, status,
                completed_on, left_on, level, passed, employed_on, employer_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO UPDATE SET
                status = excluded.status, completed_on = excluded.completed_on,
                left_on = excluded.left_on, level = excluded.level, passed = excluded.passed,
                employed_on = excluded.employed_on, employer_id = excluded.employer_id",
        )?
        .execute(params![
            enrolment.id.to_string(),
            course.id.to_string(),
            course.provider_id.to_string(),
            enrolment.jobseeker_id.to_string(),
            enrolment.status.as_str(),
            enrolment.completed_on.map(|day| day.to_string()),
            enrolment.left_on.map(|day| day.to_string()),
            appraisal.map(|appraisal| appraisal.level.as_str()),
            appraisal.map(|appraisal| appraisal.passed),
            employment.map(|employment| employment.started_on.to_string()),
            employment
                .and_then(|employment| employment.employer_id)
                .map(|employer| employer.to_string()),
        ])?;
    Ok(())
}

/// The FTS5 text of a course: the analyser's words of its title,
/// occupation, kind (in Chinese) and description; its title's words again,
/// marked; and the tags of what it is filtered by — its kind, its region
/// at each level, its occupation and its provider — each one term.
fn indexed_words(course: &Course) -> String {
    let details = &course.details;
    let occupation = details
        .occupation
        .as_ref()
        .map(|occupation| occupation.as_str());
    // A code's words are its title's in the classification (焊工).
    let code = occupation.and_then(|occupation| OccupationCode::parse(occupation).ok());
    let mut text = Vec::new();
    for part in [
        Some(details.title.as_str()),
        code.as_ref().map(OccupationCode::title).or(occupation),
        Some(details.kind.label_zh()),
        details
            .description
            .as_ref()
            .map(|description| description.as_str()),
    ]
    .into_iter()
    .flatten()
    {
        text.extend(fts::words(part));
    }
    text.extend(fts::title_words(details.title.as_str()));
    text.extend(fts::grams(details.title.as_str()));
    text.extend(
        code.as_ref()
            .map_or_else(Vec::new, |code| fts::grams(code.title())),
    );
    text.extend(tags(
        details.kind.as_str(),
        details.region.as_str(),
        occupation,
        &course.provider_id.to_string(),
    ));
    text.join(" ")
}

/// The tags of a course's filters; [`SearchQuery::tags`] makes a query's
/// with the same marks and letters. An occupation's code is tagged at
/// every level of the classification (`6`, `6-18`, `6-18-02`,
/// `6-18-02-04`), so that a filter by a group finds it; a name, whole.
fn tags(kind: &str, region: &str, occupation: Option<&str>, provider: &str) -> Vec<String> {
    let mut tags = vec![fts::text_tag('k', kind)];
    tags.extend(fts::region_tags('r', region));
    match occupation.map(|occupation| (occupation, OccupationCode::parse(occupation))) {
        Some((_, Ok(code))) => tags.extend(
            code.prefixes()
                .iter()
                .map(|prefix| fts::text_tag('o', prefix)),
        ),
        Some((name, Err(_))) => tags.push(fts::text_tag('o', name)),
        None => {}
    }
    tags.push(fts::text_tag('p', provider));
    tags
}

/// The course an enrolment is in, once the read model has it.
pub fn course_of_enrolment(
    connection: &Connection,
    enrolment: EnrolmentId,
) -> rusqlite::Result<Option<String>> {
    connection
        .prepare_cached("SELECT course_id FROM enrolments WHERE id = ?1")?
        .query_row([enrolment.to_string()], |row| row.get(0))
        .optional()
}

/// The counts behind outcomes, of one course or every course of a provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Trainees who took a seat.
    pub trained: u64,
    /// Completed.
    pub completed: u64,
    /// Dropped out.
    pub dropped_out: u64,
    /// Completed and employed within the window.
    pub employed: u64,
    /// Appraised.
    pub appraised: u64,
    /// Appraised and passed.
    pub passed: u64,
    /// Employed by the employer of an order-based course (for one course).
    pub hires_by_order_employer: u64,
}

/// What a course's outcomes need of the course besides its enrolments.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseOwner {
    /// The office that opened it (a division code).
    pub office: String,
    pub provider_id: String,
    /// An order-based course's employer and the hires it committed to.
    pub order: Option<(String, u32)>,
}

/// The office, provider and order of course `course_id`, if the read model
/// has it.
pub fn course_owner(
    connection: &Connection,
    course_id: &str,
) -> rusqlite::Result<Option<CourseOwner>> {
    connection
        .prepare_cached(
            "SELECT office, provider_id, order_employer_id, committed_hires FROM courses
             WHERE id = ?1",
        )?
        .query_row([course_id], |row| {
            let employer: Option<String> = row.get(2)?;
            let committed: Option<u32> = row.get(3)?;
            Ok(CourseOwner {
                office: row.get(0)?,
                provider_id: row.get(1)?,
                order: employer.zip(committed),
            })
        })
        .optional()
}

/// The counts of course `course_id`'s enrolments; `order_employer` is the
/// employer of an order-based course.
pub fn course_counts(
    connection: &Connection,
    course_id: &str,
    order_employer: Option<&str>,
) -> rusqlite::Result<OutcomeCounts> {
    counts(connection, "course_id", course_id, order_employer)
}

/// The counts of every enrolment in provider `provider_id`'s courses.
pub fn provider_counts(
    connection: &Connection,
    provider_id: &str,
) -> rusqlite::Result<OutcomeCounts> {
    counts(connection, "provider_id", provider_id, None)
}

fn counts(
    connection: &Connection,
    column: &str,
    value: &str,
    order_employer: Option<&str>,
) -> rusqlite::Result<OutcomeCounts> {
    let sql = format!(
        "SELECT
            coalesce(sum(status IN ('seated', 'completed', 'dropped_out')), 0),
            coalesce(sum(status = 'completed'), 0),
            coalesce(sum(status = 'dropped_out'), 0),
            coalesce(sum(employed_on IS NOT NULL), 0),
            coalesce(sum(level IS NOT NULL), 0),
            coalesce(sum(passed = 1), 0),
            coalesce(sum(employed_on IS NOT NULL AND employer_id = ?2), 0)
         FROM enrolments WHERE {column} = ?1"
    );
    connection
        .prepare_cached(&sql)?
        .query_row(params![value, order_employer], |row| {
            Ok(OutcomeCounts {
                trained: row.get(0)?,
                completed: row.get(1)?,
                dropped_out: row.get(2)?,
                employed: row.get(3)?,
                appraised: row.get(4)?,
                passed: row.get(5)?,
                hires_by_order_employer: row.get(6)?,
            })
        })
}

/// Order-based courses of a provider: each one's employer and committed
/// hires, and the hires its employer made of its trainees.
pub fn provider_commitments(
    connection: &Connection,
    provider_id: &str,
) -> rusqlite::Result<Vec<(u64, u64)>> {
    let mut statement = connection.prepare_cached(
        "SELECT c.committed_hires,
                (SELECT count(*) FROM enrolments e
                 WHERE e.course_id = c.id AND e.employed_on IS NOT NULL
                   AND e.employer_id = c.order_employer_id)
         FROM courses c
         WHERE c.provider_id = ?1 AND c.order_employer_id IS NOT NULL",
    )?;
    let rows = statement.query_map([provider_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// What a course search asks for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// The analysed words ([`fts::words`]); all must match.
    pub words: Vec<String>,
    pub kind: Option<String>,
    /// Courses given in this division's scope: its code's significant
    /// digits (2, 4 or 6).
    pub region_prefix: Option<String>,
    /// An occupation's code or the significant prefix of a group of the
    /// classification (`6-18`), or an occupation's name.
    pub occupation: Option<String>,
    pub provider_id: Option<String>,
    /// Only courses that have not ended by this day.
    pub open_on: Option<NaiveDate>,
    pub limit: u32,
    pub offset: u32,
}

impl SearchQuery {
    /// The tags of the filters given.
    fn tags(&self) -> Vec<String> {
        let mut tags = Vec::new();
        tags.extend(self.kind.as_deref().map(|kind| fts::text_tag('k', kind)));
        tags.extend(
            self.region_prefix
                .as_deref()
                .map(|prefix| fts::tag('r', prefix)),
        );
        tags.extend(
            self.occupation
                .as_deref()
                .map(|occupation| fts::text_tag('o', occupation)),
        );
        tags.extend(
            self.provider_id
                .as_deref()
                .map(|provider| fts::text_tag('p', provider)),
        );
        tags
    }
}

/// One course found.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundCourse {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub region: String,
    pub occupation: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub seats: u32,
    pub seats_taken: u32,
    /// 2 when every word is in the title, 1 when they are in the text,
    /// 0 for a search of filters alone.
    pub score: f64,
}

/// What the index cannot say: whether a course is still open.
const EXACT: &str = "(?2 IS NULL OR c.ends_on >= ?2)";

const COLUMNS: &str = "c.id, c.title, c.kind, c.region, c.occupation, c.starts_on, c.ends_on,
    c.seats, c.seats_taken";

/// The courses of a search and how many match, counted up to one more
/// than [`fts::TOTAL_CAP`].
///
/// With words, the courses with every word in their title come first,
/// then those with the words anywhere in their text; each group, and a
/// search of filters alone, newest first (docs/decisions/094).
pub fn search(
    connection: &Connection,
    query: &SearchQuery,
) -> rusqlite::Result<(u64, Vec<FoundCourse>)> {
    fts::tiered_search(
        &query.words,
        &query.tags(),
        (u64::from(query.limit), u64::from(query.offset)),
        |expression, cap| count(connection, expression, query, cap),
        |expression, page_at, score| page(connection, expression, query, page_at, score),
    )
}

/// Counts the courses of the FTS5 query `expression` (all of them when
/// `None`), up to `cap`.
fn count(
    connection: &Connection,
    expression: Option<&str>,
    query: &SearchQuery,
    cap: u64,
) -> rusqlite::Result<u64> {
    let sql = if expression.is_some() {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM course_text t JOIN courses c ON c.seq = t.rowid
             WHERE course_text MATCH ?1 AND {EXACT} LIMIT ?3)"
        )
    } else {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM courses c
             WHERE ?1 IS NULL AND {EXACT} LIMIT ?3)"
        )
    };
    connection.prepare_cached(&sql)?.query_row(
        params![
            expression,
            query.open_on.map(|day| day.to_string()),
            i64::try_from(cap).unwrap_or(i64::MAX)
        ],
        |row| row.get(0),
    )
}

/// A page of the courses of `expression` (all when `None`), newest first.
fn page(
    connection: &Connection,
    expression: Option<&str>,
    query: &SearchQuery,
    (limit, offset): (u64, u64),
    score: f64,
) -> rusqlite::Result<Vec<FoundCourse>> {
    let sql = if expression.is_some() {
        format!(
            "SELECT {COLUMNS} FROM course_text t JOIN courses c ON c.seq = t.rowid
             WHERE course_text MATCH ?1 AND {EXACT}
             ORDER BY t.rowid DESC LIMIT ?3 OFFSET ?4"
        )
    } else {
        format!(
            "SELECT {COLUMNS} FROM courses c WHERE ?1 IS NULL AND {EXACT}
             ORDER BY c.seq DESC LIMIT ?3 OFFSET ?4"
        )
    };
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![
            expression,
            query.open_on.map(|day| day.to_string()),
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX)
        ],
        |row| {
            Ok(FoundCourse {
                id: row.get(0)?,
                title: row.get(1)?,
                kind: row.get(2)?,
                region: row.get(3)?,
                occupation: row.get(4)?,
                starts_on: row.get(5)?,
                ends_on: row.get(6)?,
                seats: row.get(7)?,
                seats_taken: row.get(8)?,
                score,
            })
        },
    )?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_tags_each_filter_as_a_course_is_tagged() {
        let course_tags = tags("order_based", "410105", Some("6-30-99-00"), "p-1");
        let query = SearchQuery {
            kind: Some("order_based".to_owned()),
            region_prefix: Some("4101".to_owned()),
            // As the route gives it: the code's significant prefix.
            occupation: Some("6-30-99".to_owned()),
            provider_id: Some("p-1".to_owned()),
            ..SearchQuery::default()
        };
        for tag in query.tags() {
            assert!(course_tags.contains(&tag), "{tag} in {course_tags:?}");
        }
        assert!(!course_tags.contains(&fts::tag('r', "4102")));
    }
}
