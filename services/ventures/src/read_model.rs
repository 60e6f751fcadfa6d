//! The project library's read model, written from each project's state as
//! the domain folds it ([`StateView`]): a row per project, and in an FTS5
//! table one column of words per project — its title's, industry's and
//! description's, as the tokens of the analyzer vacancies are searched
//! with; its title's again, marked [`TITLE`]; and tags, marked [`TAG`], of
//! what it is filtered by (its industry, its region at each level, its
//! investment's buckets). Every part of a search is then a term of the
//! index, and a search walks the index's lists newest first, without
//! column filters or a score of every match (docs/decisions/070).

use labex_domain::rfc3339_millis;
use labex_domain::venture_project::VentureProject;
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
use labex_search::fts;
pub use labex_search::fts::{TOTAL_CAP, words};
use rusqlite::{Connection, Transaction, params};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "venture-project-list";

/// Keeps the `projects` and `project_text` tables.
pub struct ProjectList;

impl StateView for ProjectList {
    type State = VentureProject;

    fn name(&self) -> &str {
        PROJECTION
    }

    fn version(&self) -> u32 {
        // 3: the title's n-grams (one-character and unknown words).
        3
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch(
                "DROP TABLE IF EXISTS projects; DROP TABLE IF EXISTS project_text;",
            )?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS projects (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                office TEXT NOT NULL,
                title TEXT NOT NULL,
                industry TEXT NOT NULL,
                investment_min_yuan INTEGER NOT NULL,
                investment_max_yuan INTEGER NOT NULL,
                region TEXT NOT NULL,
                contact_organisation TEXT NOT NULL,
                withdrawn INTEGER NOT NULL,
                listed_at TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS projects_listed ON projects (listed_at);
            CREATE VIRTUAL TABLE IF NOT EXISTS project_text USING fts5 (
                words, tokenize = 'unicode61 remove_diacritics 0'
            );",
        )
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        project: &VentureProject,
        _event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let id = project.id.to_string();
        let details = &project.details;
        transaction
            .prepare_cached(
                "INSERT INTO projects (id, office, title, industry, investment_min_yuan,
                    investment_max_yuan, region, contact_organisation, withdrawn, listed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (id) DO UPDATE SET withdrawn = excluded.withdrawn",
            )?
            .execute(params![
                id,
                project.office.as_str(),
                details.title.as_str(),
                details.industry.as_str(),
                details.investment_min_yuan,
                details.investment_max_yuan,
                details.region.as_str(),
                details.contact_organisation.as_str(),
                project.withdrawn,
                rfc3339_millis(project.listed_at),
            ])?;
        let seq: i64 = transaction
            .prepare_cached("SELECT seq FROM projects WHERE id = ?1")?
            .query_row([&id], |row| row.get(0))?;
        transaction
            .prepare_cached("DELETE FROM project_text WHERE rowid = ?1")?
            .execute([seq])?;
        if !project.withdrawn {
            transaction
                .prepare_cached("INSERT INTO project_text (rowid, words) VALUES (?1, ?2)")?
                .execute(params![seq, indexed_words(project)])?;
        }
        Ok(())
    }
}

/// The FTS5 text of a project: its words, its title's words marked, its
/// tags.
fn indexed_words(project: &VentureProject) -> String {
    let details = &project.details;
    let mut text = Vec::new();
    for part in [
        details.title.as_str(),
        details.industry.as_str(),
        details.description.as_str(),
    ] {
        text.extend(words(part));
    }
    text.extend(fts::title_words(details.title.as_str()));
    text.extend(fts::grams(details.title.as_str()));
    text.extend(tags(project));
    text.join(" ")
}

/// The tags of a project's filters: `i` and its industry in hex (one
/// token whatever the tokenizer makes of the words), `r` and its region at
/// the province, city and county level; `b` and each investment bucket
/// from its least's on (a budget in any of them may start it), `z` and
/// each bucket up to its most's (an investment in any of them it can
/// take). Each filter is then one term.
fn tags(project: &VentureProject) -> Vec<String> {
    let details = &project.details;
    let region = details.region.as_str();
    let mut tags = vec![fts::text_tag('i', details.industry.as_str())];
    tags.extend(fts::region_tags('r', region));
    for n in bucket(details.investment_min_yuan)..BUCKETS.len() {
        tags.push(fts::tag('b', &n.to_string()));
    }
    for n in 0..=bucket(details.investment_max_yuan) {
        tags.push(fts::tag('z', &n.to_string()));
    }
    tags
}

/// Where investment buckets start, in yuan; a bucket holds the amounts
/// from its start up to the next one's.
const BUCKETS: [u32; 18] = [
    0, 5_000, 10_000, 20_000, 30_000, 50_000, 80_000, 100_000, 150_000, 200_000, 300_000, 500_000,
    800_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 50_000_000,
];

/// The bucket of `yuan`.
fn bucket(yuan: u32) -> usize {
    BUCKETS
        .iter()
        .rposition(|start| *start <= yuan)
        .unwrap_or(0)
}

/// What a project search asks for.
#[derive(Debug, Clone, Default)]
pub struct ProjectQuery {
    /// The analysed words ([`words`]); all must match.
    pub words: Vec<String>,
    /// An industry, as listed.
    pub industry: Option<String>,
    /// Projects in this division's scope: its code's significant digits
    /// (2, 4 or 6).
    pub region_prefix: Option<String>,
    /// Projects that need no more than this to start (their least).
    pub budget_yuan: Option<u32>,
    /// Projects that can take at least this (their most).
    pub investment_at_least_yuan: Option<u32>,
    /// Hits per page.
    pub limit: u32,
    /// Hits skipped.
    pub offset: u32,
}

impl ProjectQuery {
    /// The tags of the filters given.
    fn tags(&self) -> Vec<String> {
        let mut tags = Vec::new();
        if let Some(industry) = &self.industry {
            tags.push(fts::text_tag('i', industry));
        }
        if let Some(prefix) = &self.region_prefix {
            tags.push(fts::tag('r', prefix));
        }
        if let Some(budget) = self.budget_yuan {
            tags.push(fts::tag('b', &bucket(budget).to_string()));
        }
        if let Some(least) = self.investment_at_least_yuan {
            tags.push(fts::tag('z', &bucket(least).to_string()));
        }
        tags
    }
}

/// One project found.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundProject {
    pub id: String,
    pub title: String,
    pub industry: String,
    pub investment_min_yuan: u32,
    pub investment_max_yuan: u32,
    pub region: String,
    pub contact_organisation: String,
    /// 2 when every word is in the title, 1 when they are in the text,
    /// 0 for a search of filters alone.
    pub score: f64,
}

/// The exact checks after the index's narrowing (a bucket holds amounts
/// on both sides of a bound).
const EXACT: &str = "p.withdrawn = 0
    AND (?2 IS NULL OR p.investment_min_yuan <= ?2)
    AND (?3 IS NULL OR p.investment_max_yuan >= ?3)";

const COLUMNS: &str = "p.id, p.title, p.industry, p.investment_min_yuan, p.investment_max_yuan,
    p.region, p.contact_organisation";

/// Counts the projects of the FTS5 query `expression` (all of them when
/// `None`), up to `cap`.
fn count(
    connection: &Connection,
    expression: Option<&str>,
    query: &ProjectQuery,
    cap: u64,
) -> rusqlite::Result<u64> {
    let sql = if expression.is_some() {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM project_text t JOIN projects p ON p.seq = t.rowid
             WHERE project_text MATCH ?1 AND {EXACT} LIMIT ?4)"
        )
    } else {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM projects p
             WHERE ?1 IS NULL AND {EXACT} LIMIT ?4)"
        )
    };
    connection.prepare_cached(&sql)?.query_row(
        params![
            expression,
            query.budget_yuan,
            query.investment_at_least_yuan,
            i64::try_from(cap).unwrap_or(i64::MAX)
        ],
        |row| row.get(0),
    )
}

/// A page of the projects of `expression` (all when `None`), newest first.
fn page(
    connection: &Connection,
    expression: Option<&str>,
    query: &ProjectQuery,
    (limit, offset): (u64, u64),
    score: f64,
) -> rusqlite::Result<Vec<FoundProject>> {
    let sql = if expression.is_some() {
        format!(
            "SELECT {COLUMNS} FROM project_text t JOIN projects p ON p.seq = t.rowid
             WHERE project_text MATCH ?1 AND {EXACT}
             ORDER BY t.rowid DESC LIMIT ?4 OFFSET ?5"
        )
    } else {
        format!(
            "SELECT {COLUMNS} FROM projects p WHERE ?1 IS NULL AND {EXACT}
             ORDER BY p.seq DESC LIMIT ?4 OFFSET ?5"
        )
    };
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![
            expression,
            query.budget_yuan,
            query.investment_at_least_yuan,
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX)
        ],
        |row| {
            Ok(FoundProject {
                id: row.get(0)?,
                title: row.get(1)?,
                industry: row.get(2)?,
                investment_min_yuan: row.get(3)?,
                investment_max_yuan: row.get(4)?,
                region: row.get(5)?,
                contact_organisation: row.get(6)?,
                score,
            })
        },
    )?;
    rows.collect()
}

/// The projects of a search and how many match, counted up to one more
/// than [`TOTAL_CAP`]; withdrawn projects are not found.
///
/// With words, the projects with every word in their title come first,
/// then those with the words anywhere in their text; each group, and a
/// search of filters alone, newest first (docs/decisions/070).
pub fn search(
    connection: &Connection,
    query: &ProjectQuery,
) -> rusqlite::Result<(u64, Vec<FoundProject>)> {
    fts::tiered_search(
        &query.words,
        &query.tags(),
        (u64::from(query.limit), u64::from(query.offset)),
        |expression, cap| count(connection, expression, query, cap),
        |expression, page_at, score| page(connection, expression, query, page_at, score),
    )
}
