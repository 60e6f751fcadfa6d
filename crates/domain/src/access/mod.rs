//! The access log: who read a person's full record, whose, when and
//! through which endpoint. The offices answer to the person (PIPL art.
//! 45) and to the province for every such read by their staff.
//!
//! A log entry names people only by their ids (the reader's user id and
//! role, the job seeker's id): it holds no personal data, so it needs no
//! sealing and outlives an erasure without saying anything about the
//! erased person but that their record was read.
//!
//! Reads are written in batches (a process collects them and appends each
//! batch at once), one stream per batch: `accesslog-<uuid>`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{JobSeekerId, aggregate_id};
use crate::value::DivisionCode;

aggregate_id!(
    /// One batch of reads, as one process wrote it; stream
    /// `accesslog-<uuid>`.
    AccessBatchId,
    "accesslog",
    "access-log batch"
);

/// Who read: a member of staff by their user id (the token's `sub`), role
/// and office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reader {
    /// Their user id (`sub`).
    pub subject: String,
    /// Their role (`counsellor`, `office_admin`, `province`).
    pub role: String,
    /// Their office.
    pub office: DivisionCode,
}

/// `PersonalRecordRead` (schema 1): a member of staff was shown a job
/// seeker's full record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalRecordRead {
    /// The batch it was written in.
    pub batch_id: AccessBatchId,
    /// Whose record.
    pub jobseeker_id: JobSeekerId,
    /// Who read it.
    pub reader: Reader,
    /// Through which endpoint (`GET /v1/jobseekers/{id}`).
    pub endpoint: String,
    /// When it was shown.
    pub read_at: DateTime<Utc>,
}

crate::domain_events! {
    /// What the access log records.
    pub enum AccessEvent in batch_id {
        /// `PersonalRecordRead`.
        PersonalRecordRead(PersonalRecordRead) = ("PersonalRecordRead", 1),
    }
}
