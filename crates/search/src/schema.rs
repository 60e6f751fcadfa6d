//! The index schema: one Tantivy index holds vacancies, job seekers and
//! the households of the register (told apart by `kind`), so that one
//! commit, with one checkpoint in its payload, moves them all.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{ANALYZER_NAME, NGRAM_ANALYZER_NAME};

/// The version of the schema and of what documents hold. Change it with
/// any change of fields or of how documents are built: an index of another
/// version is rebuilt at open.
/// 4: job seekers' records hold no name (an index of 3 held names).
/// 5: vacancies keep the folded aggregate state; `closes_at` in nanoseconds.
/// 6: occupation codes, the n-gram fallback field, pinyin type-ahead keys.
/// 7: pinyin keys for every reading of a character of several.
/// 8: households of the register; a job seeker's `zero_employment_household`
///    category from the register, not as declared (decision 093).
/// 9: a job seeker's wish in occupation codes (`desired_occupation_scope`,
///    the codes' titles as occupation words; decision 102).
pub const SCHEMA_VERSION: u32 = 9;

/// `kind` of a vacancy document.
pub const KIND_VACANCY: &str = "vacancy";
/// `kind` of a job-seeker document.
pub const KIND_JOBSEEKER: &str = "jobseeker";
/// `kind` of a household document (the register, for matching's priority;
/// no search finds one).
pub const KIND_HOUSEHOLD: &str = "household";

/// The fields, by handle.
#[derive(Debug, Clone)]
pub struct Fields {
    /// `vacancy`, `jobseeker` or `household`.
    pub kind: Field,
    /// The id (UUID text).
    pub id: Field,
    /// The whole current state as JSON, to rebuild the document on a change.
    pub state: Field,
    /// Vacancy title (analysed, stored for highlights).
    pub title: Field,
    /// Vacancy description, or a job seeker's summary and major (analysed,
    /// stored for highlights).
    pub description: Field,
    /// Vacancy occupation or a job seeker's desired occupations (analysed).
    pub occupation_text: Field,
    /// A job seeker's skills (analysed).
    pub skills: Field,
    /// The exact occupation label (vacancy), for filters and facets; a job
    /// seeker's desired occupations.
    pub occupation: Field,
    /// The hiring employer (vacancy).
    pub employer_id: Field,
    /// Division code: where the work is, or the job seeker's office.
    pub region: Field,
    /// Its city code (for facets).
    pub region_city: Field,
    /// Every scope prefix of `region` (`41`, `4101`, `410105`), for filters.
    pub region_scope: Field,
    /// Every scope prefix of a job seeker's desired regions.
    pub desired_region_scope: Field,
    /// Salary range, yuan a month (vacancy).
    pub salary_min: Field,
    /// Salary range, yuan a month (vacancy).
    pub salary_max: Field,
    /// Education ordinal: a vacancy's minimum or a job seeker's level.
    pub education: Field,
    /// Minimum years of experience (vacancy).
    pub experience: Field,
    /// Categories a vacancy welcomes.
    pub welcomes: Field,
    /// The same as bits (`1 << i` for the `i`-th of
    /// `JobSeekerCategory::ALL`), for counting facets fast.
    pub welcomes_mask: Field,
    /// A job seeker's categories.
    pub categories: Field,
    /// A public-welfare post (vacancy).
    pub public_welfare: Field,
    /// `open`, `filled`, `closed`; `seeking`, `registered_unemployed`,
    /// `employed`.
    pub status: Field,
    /// Seconds since the epoch (vacancy).
    pub published_at: Field,
    /// Nanoseconds since the epoch; `i64::MAX` when it never closes
    /// (vacancy).
    pub closes_at: Field,
    /// Places not yet taken (vacancy).
    pub open_headcount: Field,
    /// Whole words of an open vacancy's title and occupation, for
    /// type-ahead.
    pub suggest: Field,
    /// The same words by their pinyin: `diangong|电工` and `dg|电工`.
    pub suggest_pinyin: Field,
    /// Every prefix of a vacancy's occupation code (`6`, `6-31`,
    /// `6-31-01`, `6-31-01-03`), for filters and synonyms.
    pub occupation_scope: Field,
    /// What a job seeker's wished occupation codes cover: a wished group's
    /// prefix (`6-31`), a wished occupation's own (`6-31-01-03`) and its
    /// group's (`6-31-01`); a vacancy whose code has one of these as a
    /// prefix falls under the wish.
    pub desired_occupation_scope: Field,
    /// A vacancy's title and occupation as Chinese characters and pairs of
    /// characters: the fallback of one-character queries and unknown words.
    pub ngram: Field,
    /// A household's members (job-seeker ids), to find the households of a
    /// job seeker.
    pub members: Field,
}

impl Fields {
    /// The schema and its field handles.
    pub fn build() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let analysed_stored = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(ANALYZER_NAME)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let analysed = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let keyword_fast = STRING | FAST;
        let fields = Fields {
            kind: builder.add_text_field("kind", STRING),
            id: builder.add_text_field("id", STRING | STORED),
            state: builder.add_text_field("state", STORED),
            title: builder.add_text_field("title", analysed_stored.clone()),
            description: builder.add_text_field("description", analysed_stored),
            occupation_text: builder.add_text_field("occupation_text", analysed.clone()),
            skills: builder.add_text_field("skills", analysed),
            occupation: builder.add_text_field("occupation", keyword_fast.clone()),
            employer_id: builder.add_text_field("employer_id", STRING),
            region: builder.add_text_field("region", keyword_fast.clone()),
            region_city: builder.add_text_field("region_city", keyword_fast.clone()),
            region_scope: builder.add_text_field("region_scope", STRING),
            desired_region_scope: builder.add_text_field("desired_region_scope", STRING),
            salary_min: builder.add_u64_field("salary_min", INDEXED | FAST),
            salary_max: builder.add_u64_field("salary_max", INDEXED | FAST),
            education: builder.add_u64_field("education", INDEXED | FAST),
            experience: builder.add_u64_field("experience", INDEXED | FAST),
            welcomes: builder.add_text_field("welcomes", STRING),
            welcomes_mask: builder.add_u64_field("welcomes_mask", FAST),
            categories: builder.add_text_field("categories", keyword_fast.clone()),
            public_welfare: builder.add_bool_field("public_welfare", INDEXED | FAST),
            status: builder.add_text_field("status", keyword_fast),
            published_at: builder.add_i64_field("published_at", INDEXED | FAST),
            closes_at: builder.add_i64_field("closes_at", INDEXED | FAST),
            open_headcount: builder.add_u64_field("open_headcount", FAST),
            suggest: builder.add_text_field("suggest", STRING),
            suggest_pinyin: builder.add_text_field("suggest_pinyin", STRING),
            occupation_scope: builder.add_text_field("occupation_scope", STRING),
            desired_occupation_scope: builder.add_text_field("desired_occupation_scope", STRING),
            ngram: builder.add_text_field(
                "ngram",
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(NGRAM_ANALYZER_NAME)
                        .set_index_option(IndexRecordOption::WithFreqsAndPositions),
                ),
            ),
            members: builder.add_text_field("members", STRING),
        };
        (builder.build(), fields)
    }
}
