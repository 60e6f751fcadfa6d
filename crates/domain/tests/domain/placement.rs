//! The placement process end to end, in memory: a hire through a referral
//! employs the job seeker and fills the vacancy, once, however often the
//! outcome is delivered.

use labex_domain::Aggregate;
use labex_domain::jobseeker::{JobSeeker, JobSeekerCommand, JobSeekerStatus};
use labex_domain::placement::placement_commands;
use labex_domain::referral::ReferralError;
use labex_domain::referral::{
    MakeReferral, RecordReferralOutcome, Referral, ReferralCommand, ReferralEvent, ReferralOutcome,
    ReferralOutcomeRecorded,
};
use labex_domain::vacancy::{Vacancy, VacancyCommand, VacancyStatus};

use crate::fixtures::*;

/// A stream in memory: its events and the state they fold to.
struct Stream<A: Aggregate> {
    events: Vec<A::Event>,
}

impl<A: Aggregate> Stream<A> {
    fn new() -> Self {
        Self { events: vec![] }
    }

    fn state(&self) -> Option<A> {
        A::fold(&self.events)
    }

    fn execute(&mut self, command: A::Command) -> Result<Vec<A::Event>, A::Error> {
        let events = A::decide(self.state().as_ref(), command)?;
        self.events.extend(events.iter().cloned());
        Ok(events)
    }
}

fn outcome(outcome: ReferralOutcome) -> ReferralOutcomeRecorded {
    ReferralOutcomeRecorded {
        referral_id: referral_id(),
        jobseeker_id: jobseeker_id(),
        vacancy_id: vacancy_id(),
        employer_id: employer_id(),
        outcome,
        date: date(2024, 3, 11),
        note: None,
    }
}

#[test]
fn a_hire_calls_for_employment_and_a_lower_headcount() {
    let commands = placement_commands(&outcome(ReferralOutcome::Hired)).expect("a hire");
    assert_eq!(commands.jobseeker_id, jobseeker_id());
    assert_eq!(commands.vacancy_id, vacancy_id());
    let JobSeekerCommand::RecordPlacement(placement) = commands.jobseeker else {
        panic!("expected a placement for the job seeker");
    };
    assert_eq!(placement.referral_id, referral_id());
    assert_eq!(placement.started_on, date(2024, 3, 11));
    let VacancyCommand::RecordPlacement(placement) = commands.vacancy else {
        panic!("expected a placement for the vacancy");
    };
    assert_eq!(placement.referral_id, referral_id());
    assert_eq!(placement.jobseeker_id, jobseeker_id());
}

#[test]
fn outcomes_other_than_hired_call_for_nothing() {
    for other in [
        ReferralOutcome::Rejected,
        ReferralOutcome::NoShow,
        ReferralOutcome::Withdrawn,
    ] {
        assert_eq!(placement_commands(&outcome(other)), None, "{other}");
    }
}

#[test]
fn a_referral_hired_employs_the_job_seeker_and_fills_the_vacancy_once() {
    let mut jobseeker = Stream::<JobSeeker>::new();
    let mut vacancy = Stream::<Vacancy>::new();
    let mut referral = Stream::<Referral>::new();

    jobseeker
        .execute(JobSeekerCommand::Register(register_zhang_wei()))
        .unwrap();
    vacancy
        .execute(VacancyCommand::Publish(publish(developer_post(1))))
        .unwrap();
    let make = MakeReferral {
        referral_id: referral_id(),
        jobseeker_id: jobseeker_id(),
        vacancy_id: vacancy_id(),
        note: None,
        referred_at: referral_time(),
        vacancy: vacancy.state().unwrap().for_referral(),
        jobseeker: jobseeker.state().unwrap().for_referral(),
        open_referrals: vec![],
        fair_id: None,
    };
    referral.execute(ReferralCommand::Make(make)).unwrap();
    let recorded = referral
        .execute(ReferralCommand::RecordOutcome(RecordReferralOutcome {
            outcome: ReferralOutcome::Hired,
            date: date(2024, 3, 11),
            note: None,
        }))
        .unwrap();
    let [ReferralEvent::OutcomeRecorded(hired)] = recorded.as_slice() else {
        panic!("expected one outcome, got {recorded:?}");
    };

    // The process manager, delivered the outcome three times.
    let mut events_per_delivery = vec![];
    for _delivery in 0..3 {
        let commands = placement_commands(hired).expect("a hire");
        let jobseeker_events = jobseeker.execute(commands.jobseeker).unwrap();
        let vacancy_events = vacancy.execute(commands.vacancy).unwrap();
        events_per_delivery.push((jobseeker_events.len(), vacancy_events.len()));
    }
    assert_eq!(events_per_delivery, vec![(1, 2), (0, 0), (0, 0)]);

    let employed = jobseeker.state().unwrap();
    assert_eq!(employed.status, JobSeekerStatus::Employed);
    assert_eq!(
        employed.employment.unwrap().referral_id,
        Some(referral_id())
    );
    let filled = vacancy.state().unwrap();
    assert_eq!(filled.status, VacancyStatus::Filled);
    assert_eq!(filled.open_headcount, 0);

    // And the filled vacancy takes no more referrals.
    let mut another = Stream::<Referral>::new();
    let refused = another.execute(ReferralCommand::Make(MakeReferral {
        referral_id: other_referral_id(),
        jobseeker_id: jobseeker_id(),
        vacancy_id: vacancy_id(),
        note: None,
        referred_at: referral_time(),
        vacancy: filled.for_referral(),
        jobseeker: jobseeker.state().unwrap().for_referral(),
        open_referrals: vec![],
        fair_id: None,
    }));
    assert_eq!(
        refused,
        Err(ReferralError::VacancyNotOpen {
            status: VacancyStatus::Filled
        })
    );
}
