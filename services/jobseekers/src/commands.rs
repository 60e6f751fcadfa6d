//! The job-seeker registry's use cases that change something: register
//! (求职登记) with one registration per resident ID number, update the
//! profile and contact, register unemployment (失业登记) and employment
//! (就业登记). Each takes the [`Actor`] and a typed command and does load →
//! authorise → decide → claim → append; none knows HTTP.

use chrono::Utc;
use labex_app::{AccessLog, Actor, Error, Result, Role, STAFF, Saved};
use labex_domain::jobseeker::{
    EraseJobSeeker, ErasureGround, JobSeeker, JobSeekerCommand, RegisterEmployment,
    RegisterJobSeeker, RegisterUnemployment,
};
use labex_domain::{Aggregate, JobSeekerId, china_date};
use labex_eventsourcing::{
    EventContext, ExecuteOptions, ExpectedRevision, IdempotencyKey, Keyring, ReadModel, Repository,
    RepositoryError,
};

use crate::access_log;
use crate::registry::Registry;
use crate::requests::{ProfileUpdate, Registration};

/// Who may erase a job seeker's personal data: an office administrator
/// whose scope covers the job seeker's office (and the province).
pub const ERASERS: &[Role] = &[Role::OfficeAdmin];

/// The job-seeker registry's application: its use cases over the store,
/// the ID-number registry and the office lists.
pub struct JobSeekers {
    pub(crate) repository: Repository,
    pub(crate) registry: Registry,
    pub(crate) read_model: ReadModel,
    pub(crate) access: Access,
}

/// The access log: its writer, and the read model of what it wrote.
pub struct Access {
    /// Records reads of full records.
    pub log: std::sync::Arc<AccessLog>,
    /// The reads recorded, per job seeker.
    pub read_model: ReadModel,
}

/// The fields of a profile only office staff may change: identity
/// (`name`) and what eligibility is judged on (`education`,
/// `graduation_year`, `categories`).
pub const STAFF_ONLY_FIELDS: &[&str] = &["name", "education", "graduation_year", "categories"];

impl JobSeekers {
    /// The application over `repository`, keying ID-number claims with
    /// `registry`, listing from `read_model`, and recording reads of full
    /// records in `access`.
    pub fn new(
        repository: Repository,
        registry: Registry,
        read_model: ReadModel,
        access: Access,
    ) -> Self {
        Self {
            repository,
            registry,
            read_model,
            access,
        }
    }

    /// Registers a job seeker (求职登记) in `registration.office` (the
    /// actor's office when absent). One registration per resident ID
    /// number: the number is claimed first; a registration whose first
    /// attempt stopped after its claim is completed under the claimed id.
    /// With `key`, a retry answers as the first attempt did.
    pub async fn register(
        &self,
        actor: &Actor,
        registration: Registration,
        key: Option<IdempotencyKey>,
    ) -> Result<Saved<JobSeeker>> {
        actor.require_role(STAFF)?;
        let office = registration
            .office
            .clone()
            .unwrap_or_else(|| actor.office.clone());
        actor.may_act_in(&office)?;
        let proposed = key.as_ref().map_or_else(JobSeekerId::generate, |key| {
            JobSeekerId::from_uuid(key.aggregate_uuid(&actor.subject, JobSeekerId::STREAM_CATEGORY))
        });
        let command = |jobseeker_id| {
            JobSeekerCommand::Register(RegisterJobSeeker {
                jobseeker_id,
                personal: registration.personal.clone(),
                profile: registration.profile.clone(),
                office: office.clone(),
                registered_on: china_date(Utc::now()),
            })
        };
        // Refuse what the domain refuses before anything is claimed.
        JobSeeker::decide(None, command(proposed)).map_err(Error::refused)?;
        let context = actor.event_context(&office);
        // A key used before for another request is refused before the
        // number is claimed.
        if let Some(key) = &key {
            self.repository.remember_request(key, &context).await?;
        }
        let claim = self.registry.claim_stream(&registration.personal.id_number);
        // The claim's key and the person's, made durable in one write.
        Keyring::process()
            .ensure(&[claim.clone(), proposed.as_uuid().to_string()])
            .await
            .map_err(RepositoryError::from)?;
        let id = self.claim_id_number(&claim, proposed, &context).await?;
        let mut options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
        if let Some(key) = key {
            options = options.remembered_idempotency_key(key);
        }
        match self
            .repository
            .execute_with::<JobSeeker>(id, command(id), &context, options)
            .await
        {
            Ok(done) => Saved::executed(done),
            Err(RepositoryError::Conflict { .. }) => Err(already_registered(id)),
            Err(error) => Err(error.into()),
        }
    }

    /// Claims the ID number for `proposed`, and answers the id to register
    /// under: `proposed`, or the id of a claim whose registration never
    /// completed. A number registered already is a conflict.
    async fn claim_id_number(
        &self,
        claim: &str,
        proposed: JobSeekerId,
        context: &EventContext,
    ) -> Result<JobSeekerId> {
        let owner = self
            .repository
            .claim_personal(claim, proposed.as_uuid(), context)
            .await?;
        let id = JobSeekerId::from_uuid(owner);
        if id != proposed {
            if let Some(owner) = self.repository.load::<JobSeeker>(id).await?.state {
                if owner.erasure.is_some() {
                    // Released by the erasure; another process still
                    // remembered the claim's key.
                    return Err(Error::conflict(
                        "This ID number was released by an erasure moments ago; retry the registration in a few minutes.",
                    ));
                }
                return Err(already_registered(id));
            }
            tracing::info!(jobseeker = %id, "completing a registration whose first attempt stopped after its claim");
        }
        Ok(id)
    }

    /// Updates the profile or contact: only the fields sent change. Office
    /// staff within their scope may change every field; the job seeker
    /// themself all but [`STAFF_ONLY_FIELDS`].
    pub async fn update(
        &self,
        actor: &Actor,
        id: JobSeekerId,
        update: ProfileUpdate,
        if_match: Option<u64>,
    ) -> Result<Saved<JobSeeker>> {
        if actor.is_jobseeker(id) {
            refuse_staff_only_fields(&update.fields)?;
        }
        self.change(
            actor,
            id,
            JobSeekerCommand::UpdateProfile(update.changes?),
            if_match,
            Who::StaffOrThemself,
            access_log::PATCH_ENDPOINT,
        )
        .await
    }

    /// Registers unemployment (失业登记): office staff in scope.
    pub async fn register_unemployment(
        &self,
        actor: &Actor,
        id: JobSeekerId,
        registration: RegisterUnemployment,
        if_match: Option<u64>,
    ) -> Result<Saved<JobSeeker>> {
        let command = JobSeekerCommand::RegisterUnemployment(registration);
        self.change(
            actor,
            id,
            command,
            if_match,
            Who::Staff,
            access_log::UNEMPLOYMENT_ENDPOINT,
        )
        .await
    }

    /// Registers employment (就业登记): office staff in scope.
    pub async fn register_employment(
        &self,
        actor: &Actor,
        id: JobSeekerId,
        registration: RegisterEmployment,
        if_match: Option<u64>,
    ) -> Result<Saved<JobSeeker>> {
        let command = JobSeekerCommand::RegisterEmployment(registration);
        self.change(
            actor,
            id,
            command,
            if_match,
            Who::Staff,
            access_log::EMPLOYMENT_ENDPOINT,
        )
        .await
    }

    /// Records a migrant worker's return home (返乡): office staff in
    /// scope.
    pub async fn record_return(
        &self,
        actor: &Actor,
        id: JobSeekerId,
        recorded: labex_domain::jobseeker::RecordReturn,
        if_match: Option<u64>,
    ) -> Result<Saved<JobSeeker>> {
        let command = JobSeekerCommand::RecordReturn(recorded);
        self.change(
            actor,
            id,
            command,
            if_match,
            Who::Staff,
            access_log::RETURN_ENDPOINT,
        )
        .await
    }

    /// Erases a job seeker's personal data (an office administrator in
    /// scope, or the province): the erasure is recorded, then the keys of
    /// their personal data and of their ID-number claim are destroyed, so
    /// that nothing of it can be read again and the number is free to be
    /// registered anew. Repeating it completes an erasure that stopped
    /// before its keys were destroyed, and changes nothing else.
    pub async fn erase(
        &self,
        actor: &Actor,
        id: JobSeekerId,
        ground: ErasureGround,
        if_match: Option<u64>,
    ) -> Result<Saved<JobSeeker>> {
        actor.require_role(ERASERS)?;
        let (jobseeker, _) =
            self.repository
                .get::<JobSeeker>(id)
                .await
                .map_err(|error| match error {
                    RepositoryError::NotFound { .. } => not_found(id),
                    error => error.into(),
                })?;
        actor.may_act_in(&jobseeker.office)?;
        let claim = jobseeker
            .personal
            .known()
            .map(|personal| self.registry.claim_stream(&personal.id_number));
        let context = actor.event_context(&jobseeker.office);
        let options = match if_match {
            Some(revision) => ExecuteOptions::default().if_match(revision),
            None => ExecuteOptions::default(),
        };
        let command = JobSeekerCommand::Erase(EraseJobSeeker {
            ground,
            erased_at: context.at,
        });
        let done = self
            .repository
            .execute_with::<JobSeeker>(id, command, &context, options)
            .await
            .map_err(|error| Error::from_repository(error, if_match.is_some()))?;
        let keys = self.repository.sealing_keys(&id.stream_name()).await?;
        Keyring::process()
            .destroy(&keys)
            .await
            .map_err(RepositoryError::from)?;
        if let Some(claim) = claim {
            self.repository.release_personal_claim(&claim).await?;
        }
        tracing::info!(jobseeker = %id, ground = ground.as_str(), keys = keys.len(), "personal data erased");
        Saved::executed(done)
    }

    /// Loads the job seeker, checks that `actor` may change them, and
    /// executes `command` (at the revision `if_match` when given). The
    /// answer shows the full record: a member of staff's is recorded in
    /// the access log as shown through `endpoint`.
    async fn change(
        &self,
        actor: &Actor,
        id: JobSeekerId,
        command: JobSeekerCommand,
        if_match: Option<u64>,
        who: Who,
        endpoint: &'static str,
    ) -> Result<Saved<JobSeeker>> {
        let (jobseeker, _) =
            self.repository
                .get::<JobSeeker>(id)
                .await
                .map_err(|error| match error {
                    RepositoryError::NotFound { .. } => not_found(id),
                    error => error.into(),
                })?;
        match who {
            Who::Staff => {
                actor.require_role(STAFF)?;
                actor.may_act_in(&jobseeker.office)?;
            }
            Who::StaffOrThemself => may_see(actor, &jobseeker)?,
        }
        let context = actor.event_context(&jobseeker.office);
        let options = match if_match {
            Some(revision) => ExecuteOptions::default().if_match(revision),
            None => ExecuteOptions::default(),
        };
        let done = self
            .repository
            .execute_with::<JobSeeker>(id, command, &context, options)
            .await
            .map_err(|error| Error::from_repository(error, if_match.is_some()))?;
        self.access
            .log
            .record(actor, id, &jobseeker.office, endpoint);
        Saved::executed(done)
    }
}

/// Who may make a change.
enum Who {
    /// Office staff whose scope covers the job seeker's office.
    Staff,
    /// Those, and the job seeker themself.
    StaffOrThemself,
}

/// Who may read or change a job seeker: office staff whose scope covers
/// the registering office, and the job seeker themself (`sub` = id).
pub(crate) fn may_see(actor: &Actor, jobseeker: &JobSeeker) -> Result<()> {
    if actor.is_jobseeker(jobseeker.id) {
        return Ok(());
    }
    actor.may_act_in(&jobseeker.office)
}

pub(crate) fn not_found(id: JobSeekerId) -> Error {
    Error::not_found(format!("No job seeker {id} is registered; check the id."))
}

fn already_registered(id: JobSeekerId) -> Error {
    Error::conflict(format!(
        "A job seeker with this ID number is already registered as {id}; update that registration instead."
    ))
}

/// A job seeker changes their own contact, skills, wishes and free
/// profile; who they are and what they qualify for (categories such as
/// hardship or disabled open public-welfare posts) an office decides.
fn refuse_staff_only_fields(named: &[&'static str]) -> Result<()> {
    let fields: Vec<&str> = named
        .iter()
        .copied()
        .filter(|field| STAFF_ONLY_FIELDS.contains(field))
        .collect();
    if fields.is_empty() {
        return Ok(());
    }
    let errors = fields
        .iter()
        .map(|field| {
            labex_app::FieldError::with_sentence(
                field,
                labex_app::InputError::StaffOnly,
                "Only employment-office staff may change this field.",
            )
        })
        .collect();
    Err(Error::Forbidden {
        detail: format!(
            "A job seeker may change their own phone, skills, desired occupations and regions, summary and major, but not {}; ask your employment office to change them.",
            fields.join(", ")
        ),
        errors,
    })
}
