//! What the API answers about households. Only office staff in scope and
//! the province see households at all; the address (personal data) is
//! `null` once erased. Members are job-seeker ids: their names and ID
//! numbers stay with the jobseekers service.

use std::collections::BTreeMap;

use labex_domain::household::{Household, HouseholdStatus};
use serde::Serialize;
use utoipa::ToSchema;

/// A household's state now (or as of a past moment).
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdView {
    pub id: String,
    /// The office that keeps its register.
    pub office: String,
    /// declared, rejected, registered, cleared, stabilised or exited.
    pub status: String,
    /// `null` once erased.
    pub address: Option<String>,
    /// The members' job-seeker ids.
    pub members: Vec<String>,
    /// The members employed now.
    pub employed_members: Vec<String>,
    pub declared_on: String,
    /// The last day verification is on time.
    pub verification_due_on: String,
    /// Whether verification is (or was) later than that.
    pub verification_late: bool,
    /// The office's decision, once made.
    pub decision: Option<DecisionView>,
    /// The last move of its status that a member's event caused.
    pub last_change: Option<StatusChangeView>,
    /// For a cleared household: when it counts as stabilised.
    pub stabilises_on: Option<String>,
    /// Why it left the register, if it did.
    pub exit: Option<ExitView>,
    /// The last day for its plan, once verified.
    pub plan_due_on: Option<String>,
    pub plan: Option<PlanView>,
    pub next_contact_due: Option<String>,
    pub contacts: u32,
    pub last_contact_on: Option<String>,
    /// The measures delivered so far and how often: those of the
    /// follow-up contacts, and a `job_referral` for each referral made
    /// for a member while the household is on the register (职业介绍).
    pub measures_delivered: std::collections::BTreeMap<String, u32>,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

/// The office's decision on the declaration.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    /// verified or rejected.
    pub decision: String,
    pub on: String,
    /// `null` when none was given or once erased.
    pub note: Option<String>,
}

/// A move of a household's status caused by a member's event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusChangeView {
    /// The status it moved to.
    pub status: String,
    pub on: String,
    /// The member.
    pub jobseeker_id: String,
    /// The id of the member's event that caused it.
    pub cause_event_id: String,
    /// Its type (`ReferralOutcomeRecorded`, `EmploymentRegistered`, `UnemploymentRegistered`).
    pub cause_event_type: String,
}

/// Why a household left the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExitView {
    /// moved_away, no_longer_eligible, refused_referrals or other.
    pub reason: String,
    pub on: String,
    pub note: Option<String>,
}

/// The assistance plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    /// The counsellor responsible.
    pub counsellor: String,
    pub measures: Vec<String>,
    pub made_on: String,
}

impl HouseholdView {
    /// The view of `household` at `revision`, lateness judged on `today`.
    pub fn new(household: &Household, revision: u64, today: chrono::NaiveDate) -> Self {
        let day = |day: Option<chrono::NaiveDate>| day.map(|day| day.to_string());
        Self {
            id: household.id.to_string(),
            office: household.office.to_string(),
            status: household.status.as_str().to_owned(),
            address: household
                .address
                .known()
                .map(|address| address.as_str().to_owned()),
            members: household.members.iter().map(ToString::to_string).collect(),
            employed_members: household.employed.keys().map(ToString::to_string).collect(),
            declared_on: household.declared_on.to_string(),
            verification_due_on: household.verification_due_on.to_string(),
            verification_late: household.verification_late(today),
            decision: household.decision.as_ref().map(|decision| DecisionView {
                decision: if decision.verified {
                    "verified"
                } else {
                    "rejected"
                }
                .to_owned(),
                on: decision.on.to_string(),
                note: known_note(decision.note.as_ref()),
            }),
            last_change: household.last_move.as_ref().map(|change| StatusChangeView {
                status: change.status.as_str().to_owned(),
                on: change.on.to_string(),
                jobseeker_id: change.jobseeker_id.to_string(),
                cause_event_id: change.cause.event_id.to_string(),
                cause_event_type: change.cause.event_type.clone(),
            }),
            stabilises_on: day(household.stabilises_on),
            exit: household.exit.as_ref().map(|exit| ExitView {
                reason: exit.reason.as_str().to_owned(),
                on: exit.on.to_string(),
                note: known_note(exit.note.as_ref()),
            }),
            plan_due_on: day(household.plan_due_on),
            plan: household.plan.as_ref().map(|plan| PlanView {
                counsellor: plan.counsellor.clone(),
                measures: plan
                    .measures
                    .iter()
                    .map(|measure| measure.as_str().to_owned())
                    .collect(),
                made_on: plan.made_on.to_string(),
            }),
            next_contact_due: day(household.next_contact_due),
            contacts: household.contacts,
            last_contact_on: day(household.last_contact_on),
            measures_delivered: household
                .measures_delivered
                .iter()
                .map(|(measure, times)| (measure.as_str().to_owned(), *times))
                .collect(),
            revision,
        }
    }
}

fn known_note(note: Option<&labex_domain::Personal<labex_domain::value::Note>>) -> Option<String> {
    note.and_then(|note| note.known())
        .map(|note| note.as_str().to_owned())
}

/// One row of the register (台帐).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdSummary {
    pub id: String,
    pub office: String,
    pub status: String,
    /// `null` once erased.
    pub address: Option<String>,
    pub members: Vec<String>,
    pub declared_on: String,
    pub verification_due_on: String,
    /// The day of the office's decision (verified or rejected).
    pub decided_on: Option<String>,
    pub verified_on: Option<String>,
    /// Whether verification is (or was) late.
    pub verification_late: bool,
    pub plan_due_on: Option<String>,
    /// The counsellor of its plan.
    pub counsellor: Option<String>,
    pub next_contact_due: Option<String>,
    pub contacts: u32,
    pub stabilises_on: Option<String>,
    /// The last move of its status that a member's event caused.
    pub last_change: Option<StatusChangeView>,
    /// When the declaration was recorded (RFC 3339).
    pub declared_at: String,
}

/// A page of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterPage {
    pub items: Vec<HouseholdSummary>,
    /// The cursor of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// How many households of an office's scope stood in each status.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterCounts {
    pub office: String,
    /// The moment counted (RFC 3339); now when not asked.
    pub as_of: String,
    /// Per status (every status, zeros included).
    pub counts: BTreeMap<String, u64>,
    /// Households in the register: registered, cleared and stabilised.
    pub in_register: u64,
}

/// A household whose plan or follow-up contact is overdue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueItem {
    pub household_id: String,
    pub office: String,
    pub status: String,
    /// plan_missing (no plan by its due day) or contact_overdue.
    pub reason: String,
    /// The day it was due.
    pub due_on: String,
    /// The counsellor of its plan, when it has one.
    pub counsellor: Option<String>,
    /// When the declaration was recorded (the paging order).
    pub declared_at: String,
}

/// A page of overdue households.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverduePage {
    pub items: Vec<OverdueItem>,
    pub next_cursor: Option<String>,
}

/// The Chinese name of a status, as offices write it in the register.
pub fn status_zh(status: &str) -> &'static str {
    match HouseholdStatus::parse(status) {
        Ok(HouseholdStatus::Declared) => "待审核",
        Ok(HouseholdStatus::Rejected) => "审核未通过",
        Ok(HouseholdStatus::Registered) => "登记在册",
        Ok(HouseholdStatus::Cleared) => "已消除",
        Ok(HouseholdStatus::Stabilised) => "已稳定",
        Ok(HouseholdStatus::Exited) => "已退出",
        Err(_) => "未知",
    }
}

/// The register as CSV an office opens in a spreadsheet: UTF-8 with a
/// byte-order mark, Chinese headers, CRLF line ends, every field quoted
/// where it must be (RFC 4180).
pub fn register_csv(rows: &[HouseholdSummary]) -> String {
    const HEADERS: [&str; 15] = [
        "家庭编号",
        "经办机构",
        "状态",
        "家庭住址",
        "劳动年龄成员",
        "成员人数",
        "申报日期",
        "审核期限",
        "审核日期",
        "审核超期",
        "帮扶计划期限",
        "帮扶责任人",
        "下次联系日期",
        "最近变动日期",
        "变动原因事件",
    ];
    let mut csv = String::with_capacity(64 + rows.len() * 200);
    csv.push('\u{feff}');
    push_record(&mut csv, HEADERS.iter().map(|header| (*header).to_owned()));
    for row in rows {
        let change = row.last_change.as_ref();
        push_record(
            &mut csv,
            [
                row.id.clone(),
                row.office.clone(),
                status_zh(&row.status).to_owned(),
                row.address.clone().unwrap_or_default(),
                row.members.join(" "),
                row.members.len().to_string(),
                row.declared_on.clone(),
                row.verification_due_on.clone(),
                row.decided_on.clone().unwrap_or_default(),
                if row.verification_late { "是" } else { "否" }.to_owned(),
                row.plan_due_on.clone().unwrap_or_default(),
                row.counsellor.clone().unwrap_or_default(),
                row.next_contact_due.clone().unwrap_or_default(),
                change.map(|change| change.on.clone()).unwrap_or_default(),
                change
                    .map(|change| format!("{} {}", change.cause_event_type, change.cause_event_id))
                    .unwrap_or_default(),
            ],
        );
    }
    csv
}

fn push_record(csv: &mut String, fields: impl IntoIterator<Item = String>) {
    for (index, field) in fields.into_iter().enumerate() {
        if index > 0 {
            csv.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            csv.push('"');
            csv.push_str(&field.replace('"', "\"\""));
            csv.push('"');
        } else {
            csv.push_str(&field);
        }
    }
    csv.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(address: &str) -> HouseholdSummary {
        HouseholdSummary {
            id: "h1".to_owned(),
            office: "410105".to_owned(),
            status: "cleared".to_owned(),
            address: Some(address.to_owned()),
            members: vec!["a".to_owned(), "b".to_owned()],
            declared_on: "2026-11-30".to_owned(),
            verification_due_on: "2026-12-09".to_owned(),
            decided_on: Some("2026-12-10".to_owned()),
            verified_on: Some("2026-12-10".to_owned()),
            verification_late: true,
            plan_due_on: Some("2027-01-09".to_owned()),
            counsellor: None,
            next_contact_due: None,
            contacts: 0,
            stabilises_on: None,
            last_change: None,
            declared_at: "2026-11-30T01:00:00.000Z".to_owned(),
        }
    }

    #[test]
    fn the_csv_has_chinese_headers_and_quotes_what_it_must() {
        let csv = register_csv(&[row("文化路 \"12\" 号, 3 楼")]);
        let mut lines = csv.split("\r\n");
        let header = lines.next().unwrap();
        assert!(header.starts_with("\u{feff}家庭编号,经办机构,状态,家庭住址"));
        let first = lines.next().unwrap();
        assert!(first.starts_with("h1,410105,已消除,\"文化路 \"\"12\"\" 号, 3 楼\",a b,2,"));
        assert!(first.contains(",是,"));
        assert_eq!(lines.next(), Some(""));
    }
}

/// A public-welfare placement (公益性岗位安置).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WelfareSummary {
    pub id: String,
    /// The office that funds it (where the post is).
    pub office: String,
    pub jobseeker_id: String,
    pub vacancy_id: String,
    pub employer_id: String,
    pub started_on: String,
    /// The last day of the subsidised period.
    pub ends_on: String,
    pub subsidy_months: u32,
    /// The monthly subsidy in fen (分).
    pub monthly_subsidy_fen: u64,
    /// active, period_over, moved_to_regular_job or ended: today's.
    pub status: String,
    /// The day it ended early, if it did.
    pub exited_on: Option<String>,
    /// When it was recorded (RFC 3339; the paging order).
    pub placed_at: String,
}

/// A page of placements.
#[derive(Debug, Serialize, ToSchema)]
pub struct WelfarePage {
    pub items: Vec<WelfareSummary>,
    pub next_cursor: Option<String>,
}

/// A placement now or as it stood.
#[derive(Debug, Serialize, ToSchema)]
pub struct WelfareView {
    pub id: String,
    pub office: String,
    pub jobseeker_id: String,
    pub vacancy_id: String,
    pub employer_id: String,
    pub referral_id: String,
    pub started_on: String,
    pub ends_on: String,
    pub subsidy_months: u32,
    /// The monthly subsidy in fen (分).
    pub monthly_subsidy_fen: u64,
    /// active, period_over, moved_to_regular_job or ended, on the day described.
    pub status: String,
    /// How it ended early, if it did.
    pub exit: Option<ExitView>,
    pub revision: u64,
}

impl WelfareView {
    /// The view of `placement` at `revision`, its status on `day`.
    pub fn new(
        placement: &labex_domain::welfare::WelfarePlacement,
        revision: u64,
        day: chrono::NaiveDate,
    ) -> Self {
        Self {
            id: placement.id.to_string(),
            office: placement.office.to_string(),
            jobseeker_id: placement.jobseeker_id.to_string(),
            vacancy_id: placement.vacancy_id.to_string(),
            employer_id: placement.employer_id.to_string(),
            referral_id: placement.referral_id.to_string(),
            started_on: placement.started_on.to_string(),
            ends_on: placement.ends_on.to_string(),
            subsidy_months: placement.subsidy_months,
            monthly_subsidy_fen: placement.monthly_subsidy_fen,
            status: placement.status_on(day).as_str().to_owned(),
            exit: placement.exit.as_ref().map(|exit| ExitView {
                reason: exit.reason.as_str().to_owned(),
                on: exit.on.to_string(),
                note: known_note(exit.note.as_ref()),
            }),
            revision,
        }
    }
}

/// An internship (就业见习) in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InternshipSummary {
    pub id: String,
    pub office: String,
    pub jobseeker_id: String,
    /// The host employer.
    pub employer_id: String,
    pub months: u32,
    /// The monthly subsidy in fen (分).
    pub monthly_subsidy_fen: u64,
    /// agreed, started, ended_early or completed.
    pub status: String,
    pub started_on: Option<String>,
    pub ended_on: Option<String>,
    /// The day the host employed the intern, if it did.
    pub retained_on: Option<String>,
    /// The subsidy owed so far by attendance, in fen.
    pub subsidy_owed_fen: u64,
    /// When it was agreed (RFC 3339; the paging order).
    pub agreed_at: String,
}

/// A page of internships.
#[derive(Debug, Serialize, ToSchema)]
pub struct InternshipPage {
    pub items: Vec<InternshipSummary>,
    pub next_cursor: Option<String>,
}

/// A host's interns and rates.
#[derive(Debug, Serialize, ToSchema)]
pub struct HostRates {
    pub employer_id: String,
    pub interns: u64,
    pub completed: u64,
    pub ended_early: u64,
    /// Interns the host employed.
    pub retained: u64,
    /// Completed among those finished (completed or ended early); `null`
    /// before any finished.
    pub completion_rate: Option<f64>,
    /// Retained among the interns who finished or were retained (a host
    /// may employ an intern before the internship is over), so never more
    /// than 1; `null` before any finished or was retained.
    pub retention_rate: Option<f64>,
}

/// An internship now or as it stood.
#[derive(Debug, Serialize, ToSchema)]
pub struct InternshipView {
    pub id: String,
    pub office: String,
    pub jobseeker_id: String,
    pub employer_id: String,
    pub months: u32,
    pub monthly_subsidy_fen: u64,
    /// The tutor (带教老师); `null` once erased.
    pub tutor: Option<String>,
    pub status: String,
    pub started_on: Option<String>,
    /// The last day of its agreed months, once started: completion is
    /// taken from that day on, before it only an early end.
    pub last_day: Option<String>,
    pub ended_on: Option<String>,
    /// Why it ended early; `null` otherwise or once erased.
    pub end_reason: Option<String>,
    /// Attendance month by month.
    pub attendance: Vec<AttendanceView>,
    /// The subsidy owed so far, in fen.
    pub subsidy_owed_fen: u64,
    pub retained_on: Option<String>,
    /// The id of the hire or employment registration that was the retention.
    pub retention_cause_event_id: Option<String>,
    pub revision: u64,
}

/// A month's attendance.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceView {
    /// `YYYY-MM`.
    pub month: String,
    pub days_attended: u32,
    pub working_days: u32,
    pub subsidy_owed_fen: u64,
}

impl InternshipView {
    /// The view of `internship` at `revision`.
    pub fn new(internship: &labex_domain::internship::Internship, revision: u64) -> Self {
        let day = |day: Option<chrono::NaiveDate>| day.map(|day| day.to_string());
        Self {
            id: internship.id.to_string(),
            office: internship.office.to_string(),
            jobseeker_id: internship.jobseeker_id.to_string(),
            employer_id: internship.employer_id.to_string(),
            months: internship.months,
            monthly_subsidy_fen: internship.monthly_subsidy_fen,
            tutor: internship
                .tutor
                .known()
                .map(|tutor| tutor.as_str().to_owned()),
            status: internship.status.as_str().to_owned(),
            started_on: day(internship.started_on),
            last_day: day(internship.last_day()),
            ended_on: day(internship.ended_on),
            end_reason: known_note(internship.end_reason.as_ref()),
            attendance: internship
                .attendance
                .iter()
                .map(|month| AttendanceView {
                    month: month.month.format("%Y-%m").to_string(),
                    days_attended: month.days_attended,
                    working_days: month.working_days,
                    subsidy_owed_fen: month.subsidy_owed_fen,
                })
                .collect(),
            subsidy_owed_fen: internship.subsidy_owed_fen(),
            retained_on: day(internship.retained_on),
            retention_cause_event_id: internship
                .retention_cause
                .as_ref()
                .map(|cause| cause.event_id.to_string()),
            revision,
        }
    }
}
