//! The referrals' use cases that change something: refer a job seeker to a
//! vacancy (职业介绍) and record how a referral ended. Each takes the
//! [`Actor`] and a typed command and does load → authorise → decide →
//! take the pair's turn → append; none knows HTTP.

use std::path::Path;

use labex_app::{Actor, Error, InputError, OFFICE_STAFF, Result, STAFF, Saved, Validator, new_id};
use labex_domain::jobseeker::JobSeeker;
use labex_domain::referral::{MakeReferral, RecordReferralOutcome, Referral, ReferralCommand};
use labex_domain::vacancy::Vacancy;
use labex_domain::value::DivisionCode;
use labex_domain::{JobSeekerId, ReferralId};
use labex_eventsourcing::{
    ExecuteOptions, IdempotencyKey, ReadModel, ReadModelError, Repository, RepositoryError,
    StateProjection,
};

use crate::pairs::ReferralPairs;
use crate::read_model::{self, ReferralList};
use crate::requests::Refer;
use crate::settings::ReferralSettings;
use labex_app::arrears_marks::ArrearsMarks;
use labex_web::HeldRunner;

/// The file, beside the referral lists, of the employers' wage-arrears
/// marks.
pub const ARREARS_MARKS_FILE: &str = "arrears-marks.sqlite";

/// The referrals' application: its use cases over the store, the referral
/// lists, and the rule of one open referral per pair.
pub struct Referrals {
    pub(crate) repository: Repository,
    pub(crate) read_model: ReadModel,
    lists: HeldRunner,
    pairs: ReferralPairs,
    pub(crate) arrears: ReadModel,
    arrears_runner: HeldRunner,
}

impl Referrals {
    /// Opens the referral lists in the database at `lists_path` (creating
    /// it if missing) and the employers' wage-arrears marks in
    /// `arrears-marks.sqlite` beside it, starts their projections, and
    /// serves the use cases over `repository` with `settings`.
    pub fn start(
        repository: Repository,
        lists_path: &Path,
        settings: &ReferralSettings,
    ) -> Result<Self, ReadModelError> {
        let (read_model, runner) = ReadModel::start(
            lists_path,
            repository.client().clone(),
            StateProjection::new(ReferralList),
        )?;
        let lists = HeldRunner::new(runner);
        let (arrears, arrears_runner) = ReadModel::start(
            &lists_path.with_file_name(ARREARS_MARKS_FILE),
            repository.client().clone(),
            StateProjection::new(ArrearsMarks),
        )?;
        let arrears_runner = HeldRunner::new(arrears_runner);
        let pairs = ReferralPairs::new(
            repository.clone(),
            read_model.clone(),
            lists.clone(),
            settings,
        );
        Ok(Self {
            repository,
            read_model,
            lists,
            pairs,
            arrears,
            arrears_runner,
        })
    }

    /// The runner of the wage-arrears marks (for readiness, and to stop).
    pub fn arrears_marks(&self) -> &HeldRunner {
        &self.arrears_runner
    }

    /// The runner of the referral lists (for readiness, and to stop).
    pub fn lists(&self) -> &HeldRunner {
        &self.lists
    }

    /// The rule of one open referral per pair, step by step.
    pub fn pairs(&self) -> &ReferralPairs {
        &self.pairs
    }

    /// Refers a job seeker to a vacancy (职业介绍): office staff whose scope
    /// covers the job seeker's office, for an open vacancy, when the job
    /// seeker has no open referral to it. With `key`, a retry answers as
    /// the first attempt did.
    pub async fn refer(
        &self,
        actor: &Actor,
        refer: Refer,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Referral>> {
        actor.require_role(STAFF)?;
        let (jobseeker, vacancy) = tokio::join!(
            self.repository.load::<JobSeeker>(refer.jobseeker_id),
            self.repository.load::<Vacancy>(refer.vacancy_id),
        );
        let (jobseeker, vacancy) = (jobseeker?.state, vacancy?.state);
        let mut fields = Validator::new();
        if jobseeker.is_none() {
            fields.fail(
                "jobseeker_id",
                InputError::JobSeekerUnknown,
                "names no registered job seeker; use the id of a registered job seeker",
            );
        }
        if vacancy.is_none() {
            fields.fail(
                "vacancy_id",
                InputError::VacancyUnknown,
                "names no published vacancy; use the id of a published vacancy",
            );
        }
        let (jobseeker, vacancy) = fields.finish(|| Some((jobseeker?, vacancy?)))?;
        actor.may_act_in(&jobseeker.office)?;

        let referral_id = new_id::<ReferralId>(actor, key.as_ref());
        let context = actor.event_context(&jobseeker.office);
        let make = MakeReferral {
            referral_id,
            jobseeker_id: jobseeker.id,
            vacancy_id: vacancy.id,
            note: refer.note,
            referred_at: context.at,
            vacancy: vacancy.for_referral(),
            jobseeker: jobseeker.for_referral(),
            open_referrals: Vec::new(),
            fair_id: refer.fair_id,
        };
        self.pairs.make(make, &context, key).await
    }

    /// Records how a referral ended: office staff (counsellors, office
    /// administrators, the province) whose scope covers the job seeker's
    /// office. The employer referred to reads the referral and tells the
    /// office how it ended; it does not record the outcome itself. A hire
    /// employs the job seeker and lowers the vacancy's open headcount
    /// shortly after (the placement process). At the revision `if_match`
    /// when given; with `key`, a retry answers as the first attempt did.
    pub async fn record_outcome(
        &self,
        actor: &Actor,
        id: ReferralId,
        outcome: RecordReferralOutcome,
        if_match: Option<u64>,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<Referral>> {
        may_record_outcomes(actor)?;
        let (referral, _) =
            self.repository
                .get::<Referral>(id)
                .await
                .map_err(|error| match error {
                    RepositoryError::NotFound { .. } => not_found(id),
                    error => error.into(),
                })?;
        let office = self.office_of(&referral).await?;
        actor.may_act_in(&office)?;
        let context = actor.event_context(&office);
        let mut options = match if_match {
            Some(revision) => ExecuteOptions::default().if_match(revision),
            None => ExecuteOptions::default(),
        };
        if let Some(key) = key {
            options = options.idempotency_key(key);
        }
        let done = self
            .repository
            .execute_with::<Referral>(
                id,
                ReferralCommand::RecordOutcome(outcome),
                &context,
                options,
            )
            .await
            .map_err(|error| Error::from_repository(error, if_match.is_some()))?;
        let saved = Saved::executed(done)?;
        self.lists.settle(saved.position).await;
        Ok(saved)
    }

    /// The office of the job seeker `referral` refers: from the referral
    /// lists, or from the job seeker's registration when the lists do not
    /// hold the referral yet.
    pub(crate) async fn office_of(&self, referral: &Referral) -> Result<DivisionCode> {
        let id = referral.id;
        let listed = self
            .read_model
            .read(move |connection| read_model::office_of(connection, id))
            .await?;
        if let Some(office) = listed.and_then(|text| DivisionCode::parse(&text).ok()) {
            return Ok(office);
        }
        registered_office(&self.repository, referral.jobseeker_id).await
    }
}

/// The office that registered a job seeker a referral names.
async fn registered_office(repository: &Repository, id: JobSeekerId) -> Result<DivisionCode> {
    match repository.get::<JobSeeker>(id).await {
        Ok((jobseeker, _)) => Ok(jobseeker.office),
        Err(RepositoryError::NotFound { .. }) => Err(Error::internal(format!(
            "a referral names job seeker {id}, who is not registered"
        ))),
        Err(error) => Err(error.into()),
    }
}

/// Whose role may record how a referral ended: the office staff who refer,
/// and the province.
fn may_record_outcomes(actor: &Actor) -> Result<()> {
    match actor.role {
        _ if OFFICE_STAFF.contains(&actor.role) => Ok(()),
        labex_app::Role::Employer => Err(Error::forbidden(
            "Outcomes of referrals are recorded by the employment office; an employer reads the referrals to it and tells the office how they ended.",
        )),
        _ => Err(Error::forbidden(
            "Outcomes of referrals are recorded by the employment office; ask your employment office.",
        )),
    }
}

pub(crate) fn not_found(id: ReferralId) -> Error {
    Error::not_found(format!("No referral {id} exists; check the id."))
}
