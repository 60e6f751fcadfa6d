//! What each caller sees of a candidate (DESIGN, "Personal data"): office
//! staff see the candidate's name (read from the job seeker's own record at
//! answer time: the index holds none) and categories; an employer sees,
//! before a referral to its vacancy, only a pseudonymous handle, the
//! candidate's education and skills and the reasons that name no category
//! (no name, no id, no categories such as hardship or disabled), and only
//! candidates of the vacancy's region; once referred to its vacancy, the
//! candidate's id and name too.

use labex_domain::jobseeker::JobSeeker;
use labex_domain::referral::Referral;
use labex_domain::vacancy::Vacancy;
use labex_domain::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use labex_eventsourcing::{Keyring, Repository, RepositoryError};
use labex_search::{ReasonKind, SearchResults};
use ring::hmac;

/// Reasons an employer may read: none names a category of the candidate.
const REASONS_FOR_EMPLOYERS: &[ReasonKind] = &[
    ReasonKind::Occupation,
    ReasonKind::OccupationCode,
    ReasonKind::Skill,
    ReasonKind::Summary,
    ReasonKind::Region,
    ReasonKind::Education,
];

/// Gives each staff hit the candidate's name, if not erased.
pub async fn add_names(
    repository: &Repository,
    results: &mut SearchResults,
) -> Result<(), RepositoryError> {
    for hit in &mut results.hits {
        let Ok(id) = JobSeekerId::parse(&hit.id) else {
            continue;
        };
        let loaded = repository.load::<JobSeeker>(id).await?;
        hit.name = loaded
            .state
            .as_ref()
            .and_then(|jobseeker| jobseeker.personal.known())
            .map(|personal| personal.name.as_str().to_owned());
    }
    Ok(())
}

/// Shapes the hits for the vacancy's employer: a candidate referred to the
/// vacancy keeps their id and gets their name; every other one gets a
/// handle instead of the id, and no name or categories; no hit keeps a
/// reason that names a category.
pub async fn for_employer(
    repository: &Repository,
    vacancy_id: VacancyId,
    vacancy: &Vacancy,
    results: &mut SearchResults,
) -> Result<(), RepositoryError> {
    for hit in &mut results.hits {
        hit.reasons
            .retain(|reason| REASONS_FOR_EMPLOYERS.contains(&reason.kind));
        if let Some(labex_search::Record::JobSeeker(record)) = &mut hit.record {
            record.profile.categories.clear();
        }
        let Ok(id) = JobSeekerId::parse(&hit.id) else {
            continue;
        };
        if referred(repository, id, vacancy_id).await? {
            let loaded = repository.load::<JobSeeker>(id).await?;
            hit.name = loaded
                .state
                .as_ref()
                .and_then(|jobseeker| jobseeker.personal.known())
                .map(|personal| personal.name.as_str().to_owned());
        } else {
            hit.name = None;
            hit.id = handle(vacancy.employer_id, id);
        }
    }
    Ok(())
}

/// Whether the job seeker was referred to the vacancy: the pair's turn
/// (decision 012) names a referral that exists, or was handed back after
/// one.
async fn referred(
    repository: &Repository,
    jobseeker: JobSeekerId,
    vacancy: VacancyId,
) -> Result<bool, RepositoryError> {
    let stream = format!(
        "referralpair-{}_{}",
        jobseeker.as_uuid().simple(),
        vacancy.as_uuid().simple()
    );
    let Some(turn) = repository.latest_turn(&stream).await? else {
        return Ok(false);
    };
    let Some(holder) = turn.holder else {
        return Ok(true);
    };
    let referral = repository
        .load::<Referral>(ReferralId::from_uuid(holder))
        .await?;
    Ok(referral.state.is_some())
}

/// A candidate's handle for one employer: the same candidate has the same
/// handle in every list of that employer, another for every other employer,
/// and nothing leads back from it to the person.
pub fn handle(employer: EmployerId, jobseeker: JobSeekerId) -> String {
    let key = Keyring::process().derived_hmac_key("labex candidate handle");
    let tag = hmac::sign(
        &key,
        format!("{}/{}", employer.as_uuid(), jobseeker.as_uuid()).as_bytes(),
    );
    let hex: String = tag.as_ref()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("candidate-{hex}")
}
