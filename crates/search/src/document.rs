//! What the index keeps of a vacancy, a job seeker or a household: the current state
//! (stored whole as JSON, so that a change rebuilds the document without
//! reading the store) and the indexed document built from it.
//!
//! The state is the domain's: each event is folded by the aggregate's own
//! `evolve` ([`VacancyRecord::fold`], [`JobSeekerRecord::fold`]), so a new
//! event or rule is taught once, in the domain, and the index follows. A
//! vacancy keeps its whole folded [`Vacancy`]; a job seeker keeps only
//! what is not personal of the folded [`JobSeeker`] (the index never
//! holds personal data).
//!
//! A household is kept as its folded [`Household`] with its personal data
//! (address, the office's notes) dropped: it is no search result, only
//! the register that says which job seekers count as members of a
//! zero-employment household ([`labex_domain::priority`]). A job seeker's
//! record holds the categories as matching counts them: those declared,
//! with `zero_employment_household` from the register alone (decision
//! 093).

use std::collections::BTreeSet;
use std::ops::Deref;

use chrono::{DateTime, Utc};
use labex_domain::Aggregate;
use labex_domain::JobSeekerId;
use labex_domain::Personal;
use labex_domain::household::{Household, HouseholdEvent};
use labex_domain::jobseeker::{JobSeeker, JobSeekerEvent, JobSeekerProfile, JobSeekerStatus};
use labex_domain::priority::counted_categories;
use labex_domain::vacancy::{Vacancy, VacancyEvent, VacancyStatus};
use labex_domain::value::{
    DivisionCode, Education, JobSeekerCategory, OccupationCode, OccupationLevel,
};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use crate::analysis::{completion_words, pinyin_keys};
use crate::schema::{Fields, KIND_HOUSEHOLD, KIND_JOBSEEKER, KIND_VACANCY};

/// A vacancy as the index keeps it: the aggregate's state as the domain
/// folds it, and the revision of the last event folded. It reads as the
/// [`Vacancy`] it holds (`record.details`, `record.status_at(now)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VacancyRecord {
    /// The folded vacancy.
    #[serde(flatten)]
    pub state: Vacancy,
    /// The stream revision of the last event applied.
    pub revision: u64,
}

impl Deref for VacancyRecord {
    type Target = Vacancy;

    fn deref(&self) -> &Vacancy {
        &self.state
    }
}

impl VacancyRecord {
    /// The record after `event` (revision `revision`), folded by
    /// [`Vacancy::evolve`]; `None` when the event changes nothing here: one
    /// already folded (a revision not past the record's), or a change of a
    /// vacancy the index does not hold.
    pub fn fold(current: Option<Self>, event: &VacancyEvent, revision: u64) -> Option<Self> {
        if current
            .as_ref()
            .is_some_and(|record| record.revision >= revision)
        {
            return None;
        }
        let state = Vacancy::evolve(current.map(|record| record.state), event)?;
        Some(Self { state, revision })
    }
}

/// A job seeker as the index keeps them: nothing personal (no name, ID
/// number or phone), so that the index never holds personal data; a
/// candidate's name comes from the job seeker's own record at answer time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSeekerRecord {
    /// Their id.
    pub id: JobSeekerId,
    /// Education, skills, wishes; the categories as matching counts them
    /// (declared ones, but `zero_employment_household` only while
    /// [`in_registered_household`](Self::in_registered_household)).
    pub profile: JobSeekerProfile,
    /// The office that registered them.
    pub office: DivisionCode,
    /// Seeking, registered unemployed or employed.
    pub status: JobSeekerStatus,
    /// The stream revision of the last event applied.
    pub revision: u64,
    /// Whether a household they belong to is registered in the household
    /// register (verified, no member in work): the only source of their
    /// `zero_employment_household` category here.
    #[serde(default)]
    pub in_registered_household: bool,
}

impl JobSeekerRecord {
    /// What the index keeps of a folded job seeker, a member of a
    /// registered household or not.
    pub fn of(state: &JobSeeker, revision: u64, in_registered_household: bool) -> Self {
        let mut profile = state.profile.clone();
        profile.categories = counted_categories(&profile.categories, in_registered_household);
        Self {
            id: state.id,
            profile,
            office: state.office.clone(),
            status: state.status,
            revision,
            in_registered_household,
        }
    }

    /// The same record, its membership of a registered household (and so
    /// its `zero_employment_household` category) as the register says now.
    pub fn with_household(mut self, in_registered_household: bool) -> Self {
        self.profile.categories =
            counted_categories(&self.profile.categories, in_registered_household);
        self.in_registered_household = in_registered_household;
        self
    }

    /// The record after `event` (revision `revision`), folded by
    /// [`JobSeeker::evolve`] from the state the record keeps (its personal
    /// data unknown to the index: `evolve` leaves the rest as it would),
    /// keeping what the register says of them (a new record: not a member
    /// of a registered household, until the index has looked);
    /// `None` when the event changes nothing here.
    pub fn fold(current: Option<Self>, event: &JobSeekerEvent, revision: u64) -> Option<Self> {
        if current
            .as_ref()
            .is_some_and(|record| record.revision >= revision)
        {
            return None;
        }
        let in_registered_household = current
            .as_ref()
            .is_some_and(|record| record.in_registered_household);
        let state = current.map(|record| JobSeeker {
            id: record.id,
            personal: Personal::Erased,
            profile: record.profile,
            office: record.office,
            status: record.status,
            unemployed_since: None,
            employment: None,
            placements: BTreeSet::new(),
            erasure: None,
            returns: Vec::new(),
        });
        let state = JobSeeker::evolve(state, event)?;
        Some(Self::of(&state, revision, in_registered_household))
    }
}

/// A household as the index keeps it: the aggregate's state as the domain
/// folds it, its personal data (address, notes) dropped, and the revision
/// of the last event folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdRecord {
    /// The folded household, nothing personal.
    #[serde(flatten)]
    pub state: Household,
    /// The stream revision of the last event applied.
    pub revision: u64,
}

impl Deref for HouseholdRecord {
    type Target = Household;

    fn deref(&self) -> &Household {
        &self.state
    }
}

impl HouseholdRecord {
    /// The record after `event` (revision `revision`), folded by
    /// [`Household::evolve`]; `None` when the event changes nothing here:
    /// one already folded, or a change of a household the index does not
    /// hold.
    pub fn fold(current: Option<Self>, event: &HouseholdEvent, revision: u64) -> Option<Self> {
        if current
            .as_ref()
            .is_some_and(|record| record.revision >= revision)
        {
            return None;
        }
        let mut state = Household::evolve(current.map(|record| record.state), event)?;
        state.address = Personal::Erased;
        if let Some(decision) = &mut state.decision {
            decision.note = decision.note.as_ref().map(|_| Personal::Erased);
        }
        if let Some(exit) = &mut state.exit {
            exit.note = exit.note.as_ref().map(|_| Personal::Erased);
        }
        Some(Self { state, revision })
    }
}

/// Either kind of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A vacancy.
    Vacancy(VacancyRecord),
    /// A job seeker.
    #[serde(rename = "jobseeker")]
    JobSeeker(JobSeekerRecord),
    /// A household of the register (no search result).
    Household(HouseholdRecord),
}

impl Record {
    /// The id, as indexed.
    pub fn id(&self) -> String {
        match self {
            Record::Vacancy(vacancy) => vacancy.id.as_uuid().to_string(),
            Record::JobSeeker(jobseeker) => jobseeker.id.as_uuid().to_string(),
            Record::Household(household) => household.id.as_uuid().to_string(),
        }
    }

    /// The stream revision of the last event applied.
    pub fn revision(&self) -> u64 {
        match self {
            Record::Vacancy(vacancy) => vacancy.revision,
            Record::JobSeeker(jobseeker) => jobseeker.revision,
            Record::Household(household) => household.revision,
        }
    }

    /// The document to index.
    pub fn to_document(&self, fields: &Fields) -> TantivyDocument {
        match self {
            Record::Vacancy(vacancy) => vacancy_document(self, vacancy, fields),
            Record::JobSeeker(jobseeker) => jobseeker_document(self, jobseeker, fields),
            Record::Household(household) => household_document(self, household, fields),
        }
    }
}

/// The ordinal of an education level (`none` 0 … `doctorate` 7).
pub fn education_ordinal(education: Education) -> u64 {
    Education::ALL
        .iter()
        .position(|level| *level == education)
        .unwrap_or(0) as u64
}

/// The education level of an ordinal.
pub fn education_of_ordinal(ordinal: u64) -> Option<Education> {
    Education::ALL.get(ordinal as usize).copied()
}

/// The bit of a category in a category mask.
pub fn category_bit(category: JobSeekerCategory) -> u64 {
    let index = JobSeekerCategory::ALL
        .iter()
        .position(|known| *known == category)
        .unwrap_or(0);
    1 << index
}

/// The scope prefixes of a division code, widest first (`41`, `4101`,
/// `410105`).
pub fn scope_prefixes(code: &DivisionCode) -> Vec<String> {
    let digits = code.as_str();
    let mut prefixes = vec![digits[0..2].to_owned()];
    if &digits[2..4] != "00" {
        prefixes.push(digits[0..4].to_owned());
    }
    if &digits[4..6] != "00" {
        prefixes.push(digits.to_owned());
    }
    prefixes
}

/// What a wished occupation code covers, as prefixes of the
/// classification: a group covers itself (`6-31` for `6-31-00-00`); an
/// occupation covers itself and its group (`6-31-01-03` and `6-31-01`: the
/// same minor group's occupations are the work a wish for one of them
/// would take; `1-01` for `1-01-00-01`, straight under a medium group).
/// A vacancy falls under the wish when its code has one of these as a
/// prefix.
pub fn wish_scopes(code: &OccupationCode) -> Vec<String> {
    let mut prefixes = code.prefixes();
    if code.level() != OccupationLevel::Occupation {
        return prefixes.split_off(prefixes.len() - 1);
    }
    let own = prefixes.len() - 1;
    prefixes.split_off(own.saturating_sub(1))
}

fn add_region(document: &mut TantivyDocument, fields: &Fields, region: &DivisionCode) {
    document.add_text(fields.region, region.as_str());
    let city = region.city().unwrap_or_else(|| region.clone());
    document.add_text(fields.region_city, city.as_str());
    for prefix in scope_prefixes(region) {
        document.add_text(fields.region_scope, prefix);
    }
}

fn vacancy_document(record: &Record, vacancy: &VacancyRecord, fields: &Fields) -> TantivyDocument {
    let details = &vacancy.details;
    let mut document = TantivyDocument::default();
    document.add_text(fields.kind, KIND_VACANCY);
    document.add_text(fields.id, vacancy.id.as_uuid().to_string());
    document.add_text(
        fields.state,
        serde_json::to_string(record).expect("a record serialises"),
    );
    document.add_text(fields.title, details.title.as_str());
    document.add_text(fields.description, details.description.as_str());
    document.add_text(fields.occupation_text, details.occupation.as_str());
    document.add_text(fields.occupation, details.occupation.as_str());
    if let Some(code) = &details.occupation_code {
        // The classification's title is an occupation name too.
        document.add_text(fields.occupation_text, code.title());
        for prefix in code.prefixes() {
            document.add_text(fields.occupation_scope, prefix);
        }
    }
    document.add_text(fields.ngram, details.title.as_str());
    document.add_text(fields.ngram, details.occupation.as_str());
    document.add_text(
        fields.employer_id,
        vacancy.employer_id.as_uuid().to_string(),
    );
    add_region(&mut document, fields, &details.region);
    document.add_u64(fields.salary_min, u64::from(details.salary.min_yuan()));
    document.add_u64(fields.salary_max, u64::from(details.salary.max_yuan()));
    document.add_u64(fields.education, education_ordinal(details.education));
    document.add_u64(fields.experience, u64::from(details.experience_years.get()));
    let mut mask = 0u64;
    for category in &details.welcomes {
        document.add_text(fields.welcomes, category.as_str());
        mask |= category_bit(*category);
    }
    document.add_u64(fields.welcomes_mask, mask);
    document.add_bool(fields.public_welfare, details.public_welfare);
    document.add_text(fields.status, vacancy.status.as_str());
    // Milliseconds: vacancies published within one second still sort
    // newest first, the same in every build of the index.
    document.add_i64(fields.published_at, vacancy.published_at.timestamp_millis());
    document.add_i64(fields.closes_at, closes_at_key(details.closes_at));
    document.add_u64(fields.open_headcount, u64::from(vacancy.open_headcount));
    if vacancy.status == VacancyStatus::Open {
        let mut words = completion_words(details.title.as_str());
        for word in completion_words(details.occupation.as_str()) {
            if !words.contains(&word) {
                words.push(word);
            }
        }
        for word in words {
            for key in pinyin_keys(&word) {
                document.add_text(fields.suggest_pinyin, format!("{key}|{word}"));
            }
            document.add_text(fields.suggest, word);
        }
    }
    document
}

fn jobseeker_document(
    record: &Record,
    jobseeker: &JobSeekerRecord,
    fields: &Fields,
) -> TantivyDocument {
    let profile = &jobseeker.profile;
    let mut document = TantivyDocument::default();
    document.add_text(fields.kind, KIND_JOBSEEKER);
    document.add_text(fields.id, jobseeker.id.as_uuid().to_string());
    document.add_text(
        fields.state,
        serde_json::to_string(record).expect("a record serialises"),
    );
    let mut about = String::new();
    if let Some(summary) = &profile.summary {
        about.push_str(summary.as_str());
    }
    if let Some(major) = &profile.major {
        if !about.is_empty() {
            about.push('\n');
        }
        about.push_str(major.as_str());
    }
    document.add_text(fields.description, about);
    for occupation in &profile.desired_occupations {
        document.add_text(fields.occupation_text, occupation.as_str());
        document.add_text(fields.occupation, occupation.as_str());
    }
    for code in &profile.desired_occupation_codes {
        // The classification's title is an occupation they named too.
        document.add_text(fields.occupation_text, code.title());
        for scope in wish_scopes(code) {
            document.add_text(fields.desired_occupation_scope, scope);
        }
    }
    for skill in &profile.skills {
        document.add_text(fields.skills, skill.as_str());
    }
    add_region(&mut document, fields, &jobseeker.office);
    for region in &profile.desired_regions {
        for prefix in scope_prefixes(region) {
            document.add_text(fields.desired_region_scope, prefix);
        }
    }
    document.add_u64(fields.education, education_ordinal(profile.education));
    for category in &profile.categories {
        document.add_text(fields.categories, category.as_str());
    }
    document.add_text(fields.status, jobseeker.status.as_str());
    document
}

/// A household's document: found by id and by its members only, by no
/// search.
fn household_document(
    record: &Record,
    household: &HouseholdRecord,
    fields: &Fields,
) -> TantivyDocument {
    let mut document = TantivyDocument::default();
    document.add_text(fields.kind, KIND_HOUSEHOLD);
    document.add_text(fields.id, household.id.as_uuid().to_string());
    document.add_text(
        fields.state,
        serde_json::to_string(record).expect("a record serialises"),
    );
    for member in &household.members {
        document.add_text(fields.members, member.as_uuid().to_string());
    }
    document
}

/// The `closes_at` column of a closing time: nanoseconds since the epoch
/// (`i64::MAX` for none), so that the open filter, `closes_at > now`, is
/// exactly [`VacancyStatus::at`]'s rule (closed once `closes_at <= now`).
pub fn closes_at_key(closes_at: Option<DateTime<Utc>>) -> i64 {
    closes_at.map_or(i64::MAX, moment_key)
}

/// A moment as the `closes_at` column counts it.
pub fn moment_key(moment: DateTime<Utc>) -> i64 {
    moment
        .timestamp_nanos_opt()
        .unwrap_or(if moment.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_prefixes_drop_trailing_zero_pairs() {
        let county = DivisionCode::parse("410105").unwrap();
        assert_eq!(scope_prefixes(&county), ["41", "4101", "410105"]);
        let city = DivisionCode::parse("410100").unwrap();
        assert_eq!(scope_prefixes(&city), ["41", "4101"]);
        let province = DivisionCode::parse("410000").unwrap();
        assert_eq!(scope_prefixes(&province), ["41"]);
    }

    #[test]
    fn a_wished_occupation_covers_its_group_and_a_wished_group_itself() {
        let scopes = |code: &str| wish_scopes(&OccupationCode::parse(code).unwrap());
        assert_eq!(scopes("6-31-01-03"), ["6-31-01", "6-31-01-03"]);
        assert_eq!(scopes("6-31-01-00"), ["6-31-01"]);
        assert_eq!(scopes("6-31-00-00"), ["6-31"]);
        assert_eq!(scopes("6-00-00-00"), ["6"]);
        // Straight under a medium group: the medium group is its group.
        assert_eq!(scopes("1-01-00-01"), ["1-01", "1-01-00-01"]);
    }

    #[test]
    fn education_ordinals_follow_the_levels() {
        assert_eq!(education_ordinal(Education::None), 0);
        assert_eq!(education_ordinal(Education::Bachelor), 5);
        assert_eq!(education_of_ordinal(5), Some(Education::Bachelor));
    }
}
