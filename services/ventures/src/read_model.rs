//! The project library's read model, written from each project's state as
//! the domain folds it ([`StateView`]): a row per project, and its text —
//! title, industry, description — as the tokens of the analyzer vacancies
//! are searched with, in an FTS5 table.

use labex_domain::rfc3339_millis;
use labex_domain::venture_project::VentureProject;
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
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
        1
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
                title, body, tokenize = 'unicode61 remove_diacritics 0'
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
            let body = format!(
                "{} {}",
                analysed(details.industry.as_str()),
                analysed(details.description.as_str())
            );
            transaction
                .prepare_cached(
                    "INSERT INTO project_text (rowid, title, body) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![seq, analysed(details.title.as_str()), body])?;
        }
        Ok(())
    }
}

/// The analyzer's tokens of `text`, space separated.
fn analysed(text: &str) -> String {
    labex_search::analysis::tokens(text)
        .into_iter()
        .map(|token| token.text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The FTS5 query of a user's text: each analysed token quoted, all
/// required; `None` when the text has no word.
pub fn match_query(text: &str) -> Option<String> {
    let tokens: Vec<String> = labex_search::analysis::tokens(text)
        .into_iter()
        .map(|token| format!("\"{}\"", token.text.replace('"', "\"\"")))
        .collect();
    (!tokens.is_empty()).then(|| tokens.join(" AND "))
}

/// What a project search asks for.
#[derive(Debug, Clone, Default)]
pub struct ProjectQuery {
    /// The FTS5 query, when words were given.
    pub text: Option<String>,
    pub industry: Option<String>,
    /// Projects in this division's scope (a prefix).
    pub region_prefix: Option<String>,
    /// Projects that need no more than this to start (their minimum).
    pub budget_yuan: Option<u32>,
    /// Projects that can take at least this (their maximum).
    pub investment_at_least_yuan: Option<u32>,
    pub limit: u32,
    pub offset: u32,
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
    pub score: f64,
}

/// The projects of a search, best first (newest first without words),
/// and how many match in all; withdrawn projects are not found.
pub fn search(
    connection: &Connection,
    query: &ProjectQuery,
) -> rusqlite::Result<(u64, Vec<FoundProject>)> {
    let filters = "p.withdrawn = 0
        AND (?2 IS NULL OR p.industry = ?2)
        AND (?3 IS NULL OR p.region LIKE ?3)
        AND (?4 IS NULL OR p.investment_min_yuan <= ?4)
        AND (?5 IS NULL OR p.investment_max_yuan >= ?5)";
    let parameters = params![
        query.text,
        query.industry,
        query
            .region_prefix
            .as_ref()
            .map(|prefix| format!("{prefix}%")),
        query.budget_yuan,
        query.investment_at_least_yuan,
        query.limit,
        query.offset,
    ];
    let columns = "p.id, p.title, p.industry, p.investment_min_yuan, p.investment_max_yuan,
                   p.region, p.contact_organisation";
    let (count_sql, page_sql) = if query.text.is_some() {
        (
            format!(
                "SELECT count(*) FROM project_text t JOIN projects p ON p.seq = t.rowid
                 WHERE project_text MATCH ?1 AND {filters}"
            ),
            format!(
                "SELECT {columns}, -bm25(project_text, 4.0, 1.0) FROM project_text t
                 JOIN projects p ON p.seq = t.rowid
                 WHERE project_text MATCH ?1 AND {filters}
                 ORDER BY bm25(project_text, 4.0, 1.0) LIMIT ?6 OFFSET ?7"
            ),
        )
    } else {
        (
            format!("SELECT count(*) FROM projects p WHERE ?1 IS NULL AND {filters}"),
            format!(
                "SELECT {columns}, 0.0 FROM projects p WHERE ?1 IS NULL AND {filters}
                 ORDER BY p.listed_at DESC, p.seq DESC LIMIT ?6 OFFSET ?7"
            ),
        )
    };
    let total: u64 = connection
        .prepare_cached(&count_sql)?
        .query_row(&parameters[..5], |row| row.get(0))?;
    let mut statement = connection.prepare_cached(&page_sql)?;
    let rows = statement.query_map(parameters, |row| {
        Ok(FoundProject {
            id: row.get(0)?,
            title: row.get(1)?,
            industry: row.get(2)?,
            investment_min_yuan: row.get(3)?,
            investment_max_yuan: row.get(4)?,
            region: row.get(5)?,
            contact_organisation: row.get(6)?,
            score: row.get(7)?,
        })
    })?;
    Ok((total, rows.collect::<rusqlite::Result<_>>()?))
}
