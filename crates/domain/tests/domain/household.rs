//! Zero-employment households: declared, verified or rejected, cleared by
//! a member's employment and registered again when nobody works any more,
//! stabilised after the follow-up period, exits, plans and contacts.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use labex_domain::Aggregate;
use labex_domain::household::{
    Address, AssistanceContactRecorded, AssistanceMeasureDelivered, AssistancePlanMade, Cause,
    ContactChannel, DeclareHousehold, DeclaredMember, ExitHousehold, ExitReason, Household,
    HouseholdCleared, HouseholdCommand, HouseholdDeclared, HouseholdError, HouseholdEvent,
    HouseholdExited, HouseholdMemberEmployed, HouseholdMemberUnemployed, HouseholdRegisteredAgain,
    HouseholdRejected, HouseholdRules, HouseholdStabilised, HouseholdStatus, HouseholdVerified,
    MakeAssistancePlan, Measure, Overdue, OverdueReason, RecordContact, RecordMeasureDelivered,
    RecordMemberEmployed, RecordMemberUnemployed, StabiliseHousehold, VerificationDecision,
    VerifyHousehold,
};
use labex_domain::value::Note;
use labex_domain::{HouseholdId, JobSeekerId, Personal};
use uuid::Uuid;

use crate::fixtures::{date, division};
use crate::support::given;

fn household_id() -> HouseholdId {
    HouseholdId::parse("0190f5a8-0000-7000-8000-0000000000a1").unwrap()
}

fn father() -> JobSeekerId {
    JobSeekerId::parse("0190f5a8-0000-7000-8000-0000000000b1").unwrap()
}

fn mother() -> JobSeekerId {
    JobSeekerId::parse("0190f5a8-0000-7000-8000-0000000000b2").unwrap()
}

fn stranger() -> JobSeekerId {
    JobSeekerId::parse("0190f5a8-0000-7000-8000-0000000000b9").unwrap()
}

fn address() -> Address {
    Address::parse("金水区文化路 12 号院 3 号楼 201").unwrap()
}

fn note(text: &str) -> Note {
    Note::parse(text).unwrap()
}

fn cause(n: u128, event_type: &str) -> Cause {
    Cause {
        event_id: Uuid::from_u128(n),
        event_type: event_type.to_owned(),
    }
}

fn member(jobseeker_id: JobSeekerId, employed: bool) -> DeclaredMember {
    DeclaredMember {
        jobseeker_id,
        employed,
    }
}

/// Monday 2026-11-30.
fn declared_on() -> NaiveDate {
    date(2026, 11, 30)
}

fn declare(members: Vec<DeclaredMember>) -> HouseholdCommand {
    HouseholdCommand::Declare(DeclareHousehold {
        household_id: household_id(),
        office: division("410105"),
        address: address(),
        members,
        declared_on: declared_on(),
        today: date(2026, 12, 1),
        rules: HouseholdRules::default(),
    })
}

fn declared() -> HouseholdEvent {
    HouseholdEvent::Declared(HouseholdDeclared {
        household_id: household_id(),
        office: division("410105"),
        address: Personal::Known(address()),
        members: vec![father(), mother()],
        declared_on: declared_on(),
        verification_due_on: date(2026, 12, 9),
    })
}

fn verify(decision: VerificationDecision, on: NaiveDate) -> HouseholdCommand {
    HouseholdCommand::Verify(VerifyHousehold {
        decision,
        decided_on: on,
        note: Some(note("入户核实，夫妻二人均无工作")),
        rules: HouseholdRules::default(),
    })
}

fn verified() -> HouseholdEvent {
    HouseholdEvent::Verified(HouseholdVerified {
        household_id: household_id(),
        verified_on: date(2026, 12, 3),
        plan_due_on: date(2027, 1, 2),
        note: Some(Personal::Known(note("入户核实，夫妻二人均无工作"))),
    })
}

fn employ(jobseeker_id: JobSeekerId, on: NaiveDate, cause: Cause) -> HouseholdCommand {
    HouseholdCommand::RecordMemberEmployed(RecordMemberEmployed {
        jobseeker_id,
        started_on: on,
        cause,
        rules: HouseholdRules::default(),
    })
}

fn member_employed(jobseeker_id: JobSeekerId, on: NaiveDate, cause: Cause) -> HouseholdEvent {
    HouseholdEvent::MemberEmployed(HouseholdMemberEmployed {
        household_id: household_id(),
        jobseeker_id,
        started_on: on,
        cause,
    })
}

fn unemploy(jobseeker_id: JobSeekerId, on: NaiveDate, cause: Cause) -> HouseholdCommand {
    HouseholdCommand::RecordMemberUnemployed(RecordMemberUnemployed {
        jobseeker_id,
        registered_on: on,
        cause,
    })
}

fn member_unemployed(jobseeker_id: JobSeekerId, on: NaiveDate, cause: Cause) -> HouseholdEvent {
    HouseholdEvent::MemberUnemployed(HouseholdMemberUnemployed {
        household_id: household_id(),
        jobseeker_id,
        registered_on: on,
        cause,
    })
}

fn cleared(jobseeker_id: JobSeekerId, on: NaiveDate, cause: Cause) -> HouseholdEvent {
    HouseholdEvent::Cleared(HouseholdCleared {
        household_id: household_id(),
        jobseeker_id,
        cleared_on: on,
        stabilises_on: HouseholdRules::default().stabilises_on(on),
        cause,
    })
}

fn hired() -> Cause {
    cause(1, "ReferralOutcomeRecorded")
}

fn plan(next_contact_due: NaiveDate) -> HouseholdCommand {
    HouseholdCommand::MakePlan(MakeAssistancePlan {
        counsellor: "counsellor-7".to_owned(),
        measures: BTreeSet::from([Measure::JobReferral, Measure::Training]),
        next_contact_due,
        made_on: date(2026, 12, 4),
    })
}

fn plan_made() -> HouseholdEvent {
    HouseholdEvent::PlanMade(AssistancePlanMade {
        household_id: household_id(),
        counsellor: "counsellor-7".to_owned(),
        measures: BTreeSet::from([Measure::JobReferral, Measure::Training]),
        next_contact_due: date(2026, 12, 18),
        made_on: date(2026, 12, 4),
    })
}

#[test]
fn a_household_is_declared_with_its_verification_due_in_seven_working_days() {
    let household = given::<Household>([])
        .when(declare(vec![
            member(father(), false),
            member(mother(), false),
        ]))
        .then([declared()]);
    assert_eq!(household.status, HouseholdStatus::Declared);
    assert!(!household.verification_late(date(2026, 12, 9)));
    assert!(household.verification_late(date(2026, 12, 10)));
}

#[test]
fn a_household_with_an_employed_member_cannot_be_declared() {
    given::<Household>([])
        .when(declare(vec![
            member(father(), false),
            member(mother(), true),
        ]))
        .then_error(HouseholdError::MemberEmployed {
            jobseeker_id: mother(),
        });
}

#[test]
fn a_household_without_members_or_with_a_member_twice_is_refused() {
    given::<Household>([])
        .when(declare(vec![]))
        .then_error(HouseholdError::NoMembers);
    given::<Household>([])
        .when(declare(vec![
            member(father(), false),
            member(father(), false),
        ]))
        .then_error(HouseholdError::DuplicateMember {
            jobseeker_id: father(),
        });
}

#[test]
fn a_verified_household_enters_the_register_with_its_plan_due() {
    let household = given::<Household>([declared()])
        .when(verify(VerificationDecision::Verified, date(2026, 12, 3)))
        .then([verified()]);
    assert_eq!(household.status, HouseholdStatus::Registered);
    assert_eq!(household.plan_due_on, Some(date(2027, 1, 2)));
}

#[test]
fn a_rejected_household_is_closed_and_cannot_be_verified_again() {
    let rejected = HouseholdEvent::Rejected(HouseholdRejected {
        household_id: household_id(),
        rejected_on: date(2026, 12, 10),
        note: Some(Personal::Known(note("入户核实，夫妻二人均无工作"))),
    });
    let household = given::<Household>([declared()])
        .when(verify(VerificationDecision::Rejected, date(2026, 12, 10)))
        .then([rejected.clone()]);
    assert!(household.status.is_closed());
    assert!(household.verification_late(date(2026, 12, 10)));
    given::<Household>([declared(), rejected])
        .when(verify(VerificationDecision::Verified, date(2026, 12, 11)))
        .then_error(HouseholdError::NotAwaitingVerification {
            status: HouseholdStatus::Rejected,
        });
}

#[test]
fn a_rejection_says_why() {
    given::<Household>([declared()])
        .when(HouseholdCommand::Verify(VerifyHousehold {
            decision: VerificationDecision::Rejected,
            decided_on: date(2026, 12, 10),
            note: None,
            rules: HouseholdRules::default(),
        }))
        .then_error(HouseholdError::NoteRequired);
}

#[test]
fn a_household_whose_member_found_work_before_verification_is_not_verified() {
    given::<Household>([
        declared(),
        member_employed(father(), date(2026, 12, 2), hired()),
    ])
    .when(verify(VerificationDecision::Verified, date(2026, 12, 3)))
    .then_error(HouseholdError::MemberEmployed {
        jobseeker_id: father(),
    });
}

#[test]
fn a_registered_household_with_an_employed_member_is_cleared_naming_the_cause() {
    let household = given::<Household>([declared(), verified()])
        .when(employ(father(), date(2026, 12, 20), hired()))
        .then([
            member_employed(father(), date(2026, 12, 20), hired()),
            cleared(father(), date(2026, 12, 20), hired()),
        ]);
    assert_eq!(household.status, HouseholdStatus::Cleared);
    assert_eq!(household.stabilises_on, Some(date(2027, 6, 20)));
    assert_eq!(household.last_move.unwrap().cause, hired());
}

#[test]
fn the_same_employment_seen_twice_changes_nothing() {
    let history = [
        declared(),
        verified(),
        member_employed(father(), date(2026, 12, 20), hired()),
        cleared(father(), date(2026, 12, 20), hired()),
    ];
    given::<Household>(history.clone())
        .when(employ(father(), date(2026, 12, 20), hired()))
        .then_nothing();
    // The placement's employment registration of the same hire.
    given::<Household>(history)
        .when(employ(
            father(),
            date(2026, 12, 20),
            cause(2, "EmploymentRegistered"),
        ))
        .then_nothing();
}

#[test]
fn an_old_employment_redelivered_after_the_unemployment_changes_nothing() {
    given::<Household>([
        declared(),
        verified(),
        member_employed(father(), date(2026, 12, 20), hired()),
        cleared(father(), date(2026, 12, 20), hired()),
        member_unemployed(
            father(),
            date(2027, 2, 1),
            cause(3, "UnemploymentRegistered"),
        ),
    ])
    .when(employ(father(), date(2026, 12, 20), hired()))
    .then_nothing();
}

#[test]
fn a_second_member_employed_keeps_the_household_cleared() {
    given::<Household>([
        declared(),
        verified(),
        member_employed(father(), date(2026, 12, 20), hired()),
        cleared(father(), date(2026, 12, 20), hired()),
    ])
    .when(employ(
        mother(),
        date(2027, 1, 5),
        cause(4, "EmploymentRegistered"),
    ))
    .then([member_employed(
        mother(),
        date(2027, 1, 5),
        cause(4, "EmploymentRegistered"),
    )]);
}

#[test]
fn a_household_whose_only_employed_member_lost_work_is_registered_again() {
    let lost = cause(3, "UnemploymentRegistered");
    let household = given::<Household>([
        declared(),
        verified(),
        member_employed(father(), date(2026, 12, 20), hired()),
        cleared(father(), date(2026, 12, 20), hired()),
    ])
    .when(unemploy(father(), date(2027, 2, 1), lost.clone()))
    .then([
        member_unemployed(father(), date(2027, 2, 1), lost.clone()),
        HouseholdEvent::RegisteredAgain(HouseholdRegisteredAgain {
            household_id: household_id(),
            jobseeker_id: father(),
            registered_on: date(2027, 2, 1),
            cause: lost,
        }),
    ]);
    assert_eq!(household.status, HouseholdStatus::Registered);
    assert_eq!(household.stabilises_on, None);
}

#[test]
fn a_household_with_another_member_still_employed_stays_cleared() {
    let lost = cause(3, "UnemploymentRegistered");
    given::<Household>([
        declared(),
        verified(),
        member_employed(father(), date(2026, 12, 20), hired()),
        cleared(father(), date(2026, 12, 20), hired()),
        member_employed(mother(), date(2027, 1, 5), cause(4, "EmploymentRegistered")),
    ])
    .when(unemploy(father(), date(2027, 2, 1), lost.clone()))
    .then([member_unemployed(father(), date(2027, 2, 1), lost)]);
}

#[test]
fn the_unemployment_of_a_member_never_employed_changes_nothing() {
    given::<Household>([declared(), verified()])
        .when(unemploy(
            father(),
            date(2027, 2, 1),
            cause(3, "UnemploymentRegistered"),
        ))
        .then_nothing();
}

#[test]
fn someone_who_is_not_a_member_is_refused() {
    given::<Household>([declared(), verified()])
        .when(employ(stranger(), date(2026, 12, 20), hired()))
        .then_error(HouseholdError::NotAMember {
            jobseeker_id: stranger(),
        });
}

#[test]
fn a_cleared_household_is_stabilised_once_the_follow_up_period_is_over() {
    let history = [
        declared(),
        verified(),
        member_employed(father(), date(2026, 12, 20), hired()),
        cleared(father(), date(2026, 12, 20), hired()),
    ];
    given::<Household>(history.clone())
        .when(HouseholdCommand::Stabilise(StabiliseHousehold {
            today: date(2027, 6, 19),
        }))
        .then_nothing();
    let household = given::<Household>(history)
        .when(HouseholdCommand::Stabilise(StabiliseHousehold {
            today: date(2027, 6, 21),
        }))
        .then([HouseholdEvent::Stabilised(HouseholdStabilised {
            household_id: household_id(),
            jobseeker_id: father(),
            stabilised_on: date(2027, 6, 20),
            cause: hired(),
        })]);
    assert_eq!(household.status, HouseholdStatus::Stabilised);
}

#[test]
fn an_office_with_a_shorter_follow_up_clears_to_an_earlier_stabilisation() {
    let rules = HouseholdRules {
        follow_up_months: 3,
        ..HouseholdRules::default()
    };
    let household = given::<Household>([declared(), verified()])
        .when(HouseholdCommand::RecordMemberEmployed(
            RecordMemberEmployed {
                jobseeker_id: father(),
                started_on: date(2026, 12, 20),
                cause: hired(),
                rules,
            },
        ))
        .then([
            member_employed(father(), date(2026, 12, 20), hired()),
            HouseholdEvent::Cleared(HouseholdCleared {
                household_id: household_id(),
                jobseeker_id: father(),
                cleared_on: date(2026, 12, 20),
                stabilises_on: date(2027, 3, 20),
                cause: hired(),
            }),
        ]);
    assert_eq!(household.stabilises_on, Some(date(2027, 3, 20)));
}

fn exit(reason: ExitReason, refused: Option<u32>, note_text: Option<&str>) -> HouseholdCommand {
    HouseholdCommand::Exit(ExitHousehold {
        reason,
        exited_on: date(2027, 1, 10),
        refused_referrals: refused,
        note: note_text.map(note),
        rules: HouseholdRules::default(),
    })
}

#[test]
fn a_household_leaves_the_register_for_refused_referrals_only_as_the_rule_says() {
    given::<Household>([declared(), verified()])
        .when(exit(ExitReason::RefusedReferrals, Some(2), None))
        .then_error(HouseholdError::TooFewRefusals { minimum: 3 });
    let household = given::<Household>([declared(), verified()])
        .when(exit(
            ExitReason::RefusedReferrals,
            Some(3),
            Some("三次拒绝推荐岗位"),
        ))
        .then([HouseholdEvent::Exited(HouseholdExited {
            household_id: household_id(),
            reason: ExitReason::RefusedReferrals,
            exited_on: date(2027, 1, 10),
            note: Some(Personal::Known(note("三次拒绝推荐岗位"))),
        })]);
    assert_eq!(household.status, HouseholdStatus::Exited);
}

#[test]
fn an_exit_for_another_reason_needs_a_note_and_a_household_in_the_register() {
    given::<Household>([declared(), verified()])
        .when(exit(ExitReason::Other, None, None))
        .then_error(HouseholdError::NoteRequired);
    given::<Household>([declared()])
        .when(exit(ExitReason::MovedAway, None, None))
        .then_error(HouseholdError::NotInRegister {
            status: HouseholdStatus::Declared,
        });
}

#[test]
fn a_member_event_for_an_exited_household_changes_nothing() {
    given::<Household>([
        declared(),
        verified(),
        HouseholdEvent::Exited(HouseholdExited {
            household_id: household_id(),
            reason: ExitReason::MovedAway,
            exited_on: date(2027, 1, 10),
            note: None,
        }),
    ])
    .when(employ(father(), date(2027, 2, 1), hired()))
    .then_nothing();
}

#[test]
fn a_verified_household_gets_a_plan_and_contacts_follow_it() {
    let household = given::<Household>([declared(), verified()])
        .when(plan(date(2026, 12, 18)))
        .then([plan_made()]);
    assert_eq!(household.next_contact_due, Some(date(2026, 12, 18)));
    let contact = HouseholdEvent::ContactRecorded(AssistanceContactRecorded {
        household_id: household_id(),
        channel: ContactChannel::Visit,
        measures: BTreeSet::from([Measure::PolicyConsultation]),
        contacted_on: date(2026, 12, 17),
        next_contact_due: date(2027, 1, 15),
        note: Some(Personal::Known(note("介绍公益性岗位政策"))),
    });
    let household = given::<Household>([declared(), verified(), plan_made()])
        .when(HouseholdCommand::RecordContact(RecordContact {
            channel: ContactChannel::Visit,
            measures: BTreeSet::from([Measure::PolicyConsultation]),
            contacted_on: date(2026, 12, 17),
            next_contact_due: date(2027, 1, 15),
            note: Some(note("介绍公益性岗位政策")),
        }))
        .then([contact]);
    assert_eq!(household.contacts, 1);
    assert_eq!(household.next_contact_due, Some(date(2027, 1, 15)));
}

#[test]
fn a_plan_needs_measures_a_future_contact_and_a_verified_household() {
    given::<Household>([declared()])
        .when(plan(date(2026, 12, 18)))
        .then_error(HouseholdError::NotInRegister {
            status: HouseholdStatus::Declared,
        });
    given::<Household>([declared(), verified()])
        .when(plan(date(2026, 12, 1)))
        .then_error(HouseholdError::NextContactInPast {
            on: date(2026, 12, 4),
        });
    given::<Household>([declared(), verified()])
        .when(HouseholdCommand::MakePlan(MakeAssistancePlan {
            counsellor: "counsellor-7".to_owned(),
            measures: BTreeSet::new(),
            next_contact_due: date(2026, 12, 18),
            made_on: date(2026, 12, 4),
        }))
        .then_error(HouseholdError::NoMeasures);
}

#[test]
fn a_contact_before_any_plan_is_refused() {
    given::<Household>([declared(), verified()])
        .when(HouseholdCommand::RecordContact(RecordContact {
            channel: ContactChannel::Phone,
            measures: BTreeSet::new(),
            contacted_on: date(2026, 12, 17),
            next_contact_due: date(2027, 1, 15),
            note: None,
        }))
        .then_error(HouseholdError::NoPlan);
}

#[test]
fn the_address_is_personal_data_and_never_printed() {
    assert_eq!(format!("{:?}", address()), "Address(***)");
    let fields =
        <HouseholdEvent as labex_domain::DomainEvent>::personal_fields("HouseholdDeclared");
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].field, "address");
    assert_eq!(fields[0].subject, "household_id");
}

fn referred(jobseeker_id: JobSeekerId, on: NaiveDate, cause: Cause) -> HouseholdCommand {
    HouseholdCommand::RecordMeasureDelivered(RecordMeasureDelivered {
        jobseeker_id,
        measure: Measure::JobReferral,
        delivered_on: on,
        cause,
    })
}

fn referral_delivered(jobseeker_id: JobSeekerId, on: NaiveDate, cause: Cause) -> HouseholdEvent {
    HouseholdEvent::MeasureDelivered(AssistanceMeasureDelivered {
        household_id: household_id(),
        jobseeker_id,
        measure: Measure::JobReferral,
        delivered_on: on,
        cause,
    })
}

fn referral_made() -> Cause {
    cause(7, "ReferralMade")
}

#[test]
fn a_referral_made_for_a_member_counts_as_a_job_referral_naming_it() {
    let household = given::<Household>([declared(), verified(), plan_made()])
        .when(referred(mother(), date(2026, 12, 10), referral_made()))
        .then([referral_delivered(
            mother(),
            date(2026, 12, 10),
            referral_made(),
        )]);
    assert_eq!(
        household.measures_delivered.get(&Measure::JobReferral),
        Some(&1)
    );
    assert!(household.causes.contains(&referral_made().event_id));
    // The household's status is not the referral's business.
    assert_eq!(household.status, HouseholdStatus::Registered);
}

#[test]
fn a_referral_counts_without_a_plan_and_for_a_cleared_household_too() {
    given::<Household>([declared(), verified()])
        .when(referred(father(), date(2026, 12, 10), referral_made()))
        .then([referral_delivered(
            father(),
            date(2026, 12, 10),
            referral_made(),
        )]);
    given::<Household>([
        declared(),
        verified(),
        member_employed(father(), date(2026, 12, 20), hired()),
        cleared(father(), date(2026, 12, 20), hired()),
    ])
    .when(referred(mother(), date(2026, 12, 22), referral_made()))
    .then([referral_delivered(
        mother(),
        date(2026, 12, 22),
        referral_made(),
    )]);
}

#[test]
fn the_same_referral_redelivered_counts_once() {
    let history = [
        declared(),
        verified(),
        referral_delivered(mother(), date(2026, 12, 10), referral_made()),
    ];
    given::<Household>(history.clone())
        .when(referred(mother(), date(2026, 12, 10), referral_made()))
        .then_nothing();
    // Another referral is another measure.
    let household = given::<Household>(history)
        .when(referred(
            mother(),
            date(2026, 12, 11),
            cause(8, "ReferralMade"),
        ))
        .then([referral_delivered(
            mother(),
            date(2026, 12, 11),
            cause(8, "ReferralMade"),
        )]);
    assert_eq!(
        household.measures_delivered.get(&Measure::JobReferral),
        Some(&2)
    );
}

#[test]
fn contacts_and_referrals_add_up_in_the_measures_delivered() {
    let household = given::<Household>([
        declared(),
        verified(),
        plan_made(),
        referral_delivered(mother(), date(2026, 12, 10), referral_made()),
    ])
    .when(HouseholdCommand::RecordContact(RecordContact {
        channel: ContactChannel::Phone,
        measures: BTreeSet::from([Measure::JobReferral, Measure::PolicyConsultation]),
        contacted_on: date(2026, 12, 11),
        next_contact_due: date(2027, 1, 11),
        note: None,
    }))
    .then([HouseholdEvent::ContactRecorded(AssistanceContactRecorded {
        household_id: household_id(),
        channel: ContactChannel::Phone,
        measures: BTreeSet::from([Measure::JobReferral, Measure::PolicyConsultation]),
        contacted_on: date(2026, 12, 11),
        next_contact_due: date(2027, 1, 11),
        note: None,
    })]);
    assert_eq!(
        household.measures_delivered.get(&Measure::JobReferral),
        Some(&2)
    );
    assert_eq!(
        household
            .measures_delivered
            .get(&Measure::PolicyConsultation),
        Some(&1)
    );
}

#[test]
fn a_referral_before_verification_or_outside_the_register_does_not_count() {
    // Declared, not yet verified.
    given::<Household>([declared()])
        .when(referred(mother(), date(2026, 12, 1), referral_made()))
        .then_nothing();
    // Made before the household was verified, seen afterwards.
    given::<Household>([declared(), verified()])
        .when(referred(mother(), date(2026, 12, 2), referral_made()))
        .then_nothing();
    // Exited.
    given::<Household>([
        declared(),
        verified(),
        HouseholdEvent::Exited(HouseholdExited {
            household_id: household_id(),
            reason: ExitReason::MovedAway,
            exited_on: date(2027, 1, 10),
            note: None,
        }),
    ])
    .when(referred(mother(), date(2027, 1, 12), referral_made()))
    .then_nothing();
}

#[test]
fn a_referral_of_someone_not_a_member_is_refused() {
    given::<Household>([declared(), verified()])
        .when(referred(stranger(), date(2026, 12, 10), referral_made()))
        .then_error(HouseholdError::NotAMember {
            jobseeker_id: stranger(),
        });
}

/// The household folded from `events`.
fn folded(events: impl IntoIterator<Item = HouseholdEvent>) -> Household {
    events
        .into_iter()
        .fold(None, |state, event| Household::evolve(state, &event))
        .expect("a household")
}

fn rejected(on: NaiveDate) -> HouseholdEvent {
    HouseholdEvent::Rejected(HouseholdRejected {
        household_id: household_id(),
        rejected_on: on,
        note: None,
    })
}

#[test]
fn a_verification_is_late_from_the_day_after_its_due_day_until_decided() {
    // Declared Monday 30 November, due Wednesday 9 December.
    let undecided = folded([declared()]);
    assert_eq!(undecided.verification_late_from(), Some(date(2026, 12, 10)));
    assert!(!undecided.verification_late(date(2026, 12, 9)));
    assert!(undecided.verification_late(date(2026, 12, 10)));
    // Decided in time: never late.
    let in_time = folded([declared(), verified()]);
    assert_eq!(in_time.verification_late_from(), None);
    assert!(!in_time.verification_late(date(2027, 6, 1)));
    let rejected_on_the_day = folded([declared(), rejected(date(2026, 12, 9))]);
    assert_eq!(rejected_on_the_day.verification_late_from(), None);
    // Decided after the due day: late for good.
    let late = folded([declared(), rejected(date(2026, 12, 14))]);
    assert_eq!(late.verification_late_from(), Some(date(2026, 12, 10)));
    assert!(late.verification_late(date(2027, 6, 1)));
}

#[test]
fn a_verified_household_without_a_plan_is_overdue_from_the_day_after_its_plan_was_due() {
    let household = folded([declared(), verified()]);
    let due = Overdue {
        reason: OverdueReason::PlanMissing,
        due_on: date(2027, 1, 2),
        from: date(2027, 1, 3),
    };
    assert_eq!(household.assistance_due(), Some(due));
    assert_eq!(household.overdue_on(date(2027, 1, 2)), None);
    assert_eq!(household.overdue_on(date(2027, 1, 3)), Some(due));
    // Declared only: nothing falls due yet.
    assert_eq!(folded([declared()]).assistance_due(), None);
}

#[test]
fn a_plans_next_contact_is_overdue_from_the_day_after_it_and_a_contact_moves_it_on() {
    let planned = folded([declared(), verified(), plan_made()]);
    let due = Overdue {
        reason: OverdueReason::ContactOverdue,
        due_on: date(2026, 12, 18),
        from: date(2026, 12, 19),
    };
    assert_eq!(planned.overdue_on(date(2026, 12, 18)), None);
    assert_eq!(planned.overdue_on(date(2027, 1, 3)), Some(due));
    let contacted = folded([
        declared(),
        verified(),
        plan_made(),
        HouseholdEvent::ContactRecorded(AssistanceContactRecorded {
            household_id: household_id(),
            channel: ContactChannel::Phone,
            measures: BTreeSet::from([Measure::PolicyConsultation]),
            contacted_on: date(2026, 12, 17),
            next_contact_due: date(2027, 1, 15),
            note: None,
        }),
    ]);
    assert_eq!(contacted.overdue_on(date(2027, 1, 3)), None);
    assert_eq!(
        contacted
            .overdue_on(date(2027, 1, 16))
            .map(|due| due.due_on),
        Some(date(2027, 1, 15))
    );
}

#[test]
fn only_registered_and_cleared_households_fall_overdue() {
    let cleared_household = folded([
        declared(),
        verified(),
        plan_made(),
        member_employed(father(), date(2026, 12, 20), hired()),
        cleared(father(), date(2026, 12, 20), hired()),
    ]);
    assert!(cleared_household.overdue_on(date(2027, 1, 3)).is_some());
    let stabilised = folded([
        declared(),
        verified(),
        plan_made(),
        member_employed(father(), date(2026, 12, 20), hired()),
        cleared(father(), date(2026, 12, 20), hired()),
        HouseholdEvent::Stabilised(HouseholdStabilised {
            household_id: household_id(),
            jobseeker_id: father(),
            stabilised_on: date(2027, 6, 20),
            cause: hired(),
        }),
    ]);
    assert_eq!(stabilised.overdue_on(date(2027, 7, 1)), None);
    let exited = folded([
        declared(),
        verified(),
        HouseholdEvent::Exited(HouseholdExited {
            household_id: household_id(),
            reason: ExitReason::MovedAway,
            exited_on: date(2026, 12, 20),
            note: None,
        }),
    ]);
    assert_eq!(exited.overdue_on(date(2027, 3, 1)), None);
    assert_eq!(
        folded([declared(), rejected(date(2026, 12, 3))]).overdue_on(date(2027, 3, 1)),
        None
    );
}
