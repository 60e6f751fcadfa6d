//! What the public feed tells anyone of a vacancy event: every field
//! written out on purpose, so that a field added to an event, or a new
//! event type, reaches anonymous callers only once it is mapped here.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use labex_domain::vacancy::{
    CloseReason, VacancyChanges, VacancyClosed, VacancyDetails, VacancyEvent, VacancyFilled,
    VacancyPlacementRecorded, VacancyPublished, VacancyStatus, VacancyUpdated,
};
use labex_domain::value::{JobSeekerCategory, SalaryRange};
use labex_domain::{Event, rfc3339_millis};
use labex_eventsourcing::StoredEvent;
use serde::Serialize;

use labex_web::feeds::format_position;

use crate::feed::FeedItem;

/// The feed item of `stored`, or `None` when it is not an event the public
/// feed shows.
pub fn item(stored: &StoredEvent) -> Option<FeedItem> {
    let (event_type, data) = public_view(&stored.event)?;
    let data = match serde_json::to_value(&data) {
        Ok(data) => data,
        Err(error) => {
            tracing::error!(error = %error, "a vacancy feed item cannot be written");
            return None;
        }
    };
    Some(FeedItem {
        position: format_position(stored.position),
        event_type: event_type.to_owned(),
        vacancy_id: stored
            .stream
            .strip_prefix("vacancy-")
            .unwrap_or(&stored.stream)
            .to_owned(),
        revision: stored.revision,
        recorded_at: rfc3339_millis(stored.created),
        data,
    })
}

/// What the feed tells anyone about a vacancy's published details.
#[derive(Debug, Serialize)]
struct PublicDetails {
    title: String,
    description: String,
    occupation: String,
    region: String,
    salary_min_yuan: u32,
    salary_max_yuan: u32,
    headcount: u32,
    education: String,
    experience_years: u8,
    welcomes: Vec<String>,
    public_welfare: bool,
    closes_at: Option<String>,
}

/// What changed in a `VacancyUpdated`; absent fields did not change.
#[derive(Debug, Serialize)]
struct PublicChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    occupation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    salary_min_yuan: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    salary_max_yuan: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headcount: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    education: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    experience_years: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    welcomes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_welfare: Option<bool>,
    /// `Some(None)`: open until closed (serialised as `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    closes_at: Option<Option<String>>,
}

/// The public data of one feed item, per event type. Every field is
/// written out here on purpose: a field added to an event, or a new event
/// type, reaches anonymous callers only once it is mapped below.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum PublicData {
    Published {
        vacancy_id: String,
        employer_id: String,
        details: PublicDetails,
        published_at: String,
        status: &'static str,
        open_headcount: u32,
    },
    Updated {
        vacancy_id: String,
        changes: PublicChanges,
        #[serde(skip_serializing_if = "Option::is_none")]
        open_headcount: Option<u32>,
    },
    /// Not the staff's free-text note, which may name people.
    Closed {
        vacancy_id: String,
        reason: CloseReason,
        status: &'static str,
    },
    /// Not the referral or the job seeker hired.
    PlacementRecorded {
        vacancy_id: String,
        hired_on: NaiveDate,
        open_headcount: u32,
        status: &'static str,
    },
    Filled {
        vacancy_id: String,
        open_headcount: u32,
        status: &'static str,
    },
}

fn welcomes(categories: &BTreeSet<JobSeekerCategory>) -> Vec<String> {
    categories
        .iter()
        .map(|category| category.as_str().to_owned())
        .collect()
}

fn public_details(details: &VacancyDetails) -> PublicDetails {
    PublicDetails {
        title: details.title.as_str().to_owned(),
        description: details.description.as_str().to_owned(),
        occupation: details.occupation.as_str().to_owned(),
        region: details.region.as_str().to_owned(),
        salary_min_yuan: details.salary.min_yuan(),
        salary_max_yuan: details.salary.max_yuan(),
        headcount: details.headcount.get(),
        education: details.education.as_str().to_owned(),
        experience_years: details.experience_years.get(),
        welcomes: welcomes(&details.welcomes),
        public_welfare: details.public_welfare,
        closes_at: details.closes_at.map(rfc3339_millis),
    }
}

fn public_changes(changes: &VacancyChanges) -> PublicChanges {
    PublicChanges {
        title: changes
            .title
            .as_ref()
            .map(|title| title.as_str().to_owned()),
        description: changes
            .description
            .as_ref()
            .map(|description| description.as_str().to_owned()),
        occupation: changes
            .occupation
            .as_ref()
            .map(|occupation| occupation.as_str().to_owned()),
        region: changes
            .region
            .as_ref()
            .map(|region| region.as_str().to_owned()),
        salary_min_yuan: changes.salary.as_ref().map(SalaryRange::min_yuan),
        salary_max_yuan: changes.salary.as_ref().map(SalaryRange::max_yuan),
        headcount: changes.headcount.map(|headcount| headcount.get()),
        education: changes
            .education
            .map(|education| education.as_str().to_owned()),
        experience_years: changes.experience_years.map(|years| years.get()),
        welcomes: changes.welcomes.as_ref().map(welcomes),
        public_welfare: changes.public_welfare,
        closes_at: changes
            .closes_at
            .map(|closes_at| closes_at.map(rfc3339_millis)),
    }
}

/// The event type and public data of an event the feed shows, or `None`
/// for any event that is not a vacancy's (the feed reads only `vacancy-`
/// streams, but nothing else may pass even if one turned up there).
fn public_view(event: &Event) -> Option<(&'static str, PublicData)> {
    let Event::Vacancy(event) = event else {
        return None;
    };
    // No wildcard arm: a new vacancy event does not compile until it is
    // given a public view here.
    let data = match event {
        VacancyEvent::Published(VacancyPublished {
            vacancy_id,
            employer_id,
            details,
            published_at,
        }) => PublicData::Published {
            vacancy_id: vacancy_id.to_string(),
            employer_id: employer_id.to_string(),
            details: public_details(details),
            published_at: rfc3339_millis(*published_at),
            status: VacancyStatus::Open.as_str(),
            open_headcount: details.headcount.get(),
        },
        VacancyEvent::Updated(VacancyUpdated {
            vacancy_id,
            changes,
            open_headcount,
        }) => PublicData::Updated {
            vacancy_id: vacancy_id.to_string(),
            changes: public_changes(changes),
            open_headcount: *open_headcount,
        },
        VacancyEvent::Closed(VacancyClosed {
            vacancy_id,
            reason,
            note: _,
        }) => PublicData::Closed {
            vacancy_id: vacancy_id.to_string(),
            reason: *reason,
            status: VacancyStatus::Closed.as_str(),
        },
        VacancyEvent::PlacementRecorded(VacancyPlacementRecorded {
            vacancy_id,
            referral_id: _,
            jobseeker_id: _,
            hired_on,
            open_headcount,
        }) => PublicData::PlacementRecorded {
            vacancy_id: vacancy_id.to_string(),
            hired_on: *hired_on,
            open_headcount: *open_headcount,
            status: if *open_headcount == 0 {
                VacancyStatus::Filled.as_str()
            } else {
                VacancyStatus::Open.as_str()
            },
        },
        VacancyEvent::Filled(VacancyFilled { vacancy_id }) => PublicData::Filled {
            vacancy_id: vacancy_id.to_string(),
            open_headcount: 0,
            status: VacancyStatus::Filled.as_str(),
        },
    };
    let event_type = match event {
        VacancyEvent::Published(_) => VacancyPublished::EVENT_TYPE,
        VacancyEvent::Updated(_) => VacancyUpdated::EVENT_TYPE,
        VacancyEvent::Closed(_) => VacancyClosed::EVENT_TYPE,
        VacancyEvent::PlacementRecorded(_) => VacancyPlacementRecorded::EVENT_TYPE,
        VacancyEvent::Filled(_) => VacancyFilled::EVENT_TYPE,
    };
    Some((event_type, data))
}
