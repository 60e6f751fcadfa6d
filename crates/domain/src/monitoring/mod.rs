//! Employment and unemployment monitoring (就业失业监测制度): the
//! labour-security offices (劳动保障事务所) below county level, and the
//! monitoring points (监测点) — street and community labour-security
//! platforms (街道社区劳动保障平台) and the labour-security offices that
//! are designated points — each following a set of registered enterprises
//! whose monthly reports it collects.
//!
//! The notice's coverage rule (every prefecture city at least five
//! community platforms; in every county at least a third of its
//! labour-security offices are points) is [`coverage`], with its numbers
//! in [`CoverageRules`]. [`Period`] is the calendar month every report and
//! indicator is kept by.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::{EmployerId, aggregate_id};
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::{DivisionCode, DivisionLevel, OrganisationName};

mod period;
mod rules;

pub use period::{Period, PeriodError};
pub use rules::CoverageRules;

aggregate_id!(
    /// Identifies a labour-security office; stream `labouroffice-<uuid>`.
    LabourOfficeId,
    "labouroffice",
    "labour-security office"
);
aggregate_id!(
    /// Identifies a monitoring point; stream `monitoringpoint-<uuid>`.
    MonitoringPointId,
    "monitoringpoint",
    "monitoring point"
);

/// A labour-security office (劳动保障事务所) of a county, as folded from
/// its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabourOffice {
    /// Its id.
    pub id: LabourOfficeId,
    /// Its name.
    pub name: OrganisationName,
    /// The county (or district) it serves.
    pub region: DivisionCode,
}

/// What a monitoring point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    /// A street or community labour-security platform (街道社区劳动保障平台).
    CommunityPlatform,
    /// A labour-security office designated as a point (劳动保障事务所).
    LabourOffice,
}

impl PointKind {
    /// Every kind.
    pub const ALL: [Self; 2] = [Self::CommunityPlatform, Self::LabourOffice];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CommunityPlatform => "community_platform",
            Self::LabourOffice => "labour_office",
        }
    }

    /// The kind of its snake_case name.
    pub fn parse(text: &str) -> Result<Self, PointKindError> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text.trim())
            .ok_or(PointKindError)
    }
}

/// A text that names no kind of monitoring point.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a kind of monitoring point: community_platform or labour_office")]
pub struct PointKindError;

impl Coded for PointKindError {
    fn code(&self) -> &'static str {
        "point_kind.unknown"
    }
}

/// A monitoring point (监测点), as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringPoint {
    /// Its id.
    pub id: MonitoringPointId,
    /// A community platform or a labour-security office.
    pub kind: PointKind,
    /// The platform's name (for an office, the office's).
    pub name: OrganisationName,
    /// Where it is: the county (or, for a platform, its county or city).
    pub region: DivisionCode,
    /// The designated labour-security office, for that kind.
    pub labour_office_id: Option<LabourOfficeId>,
    /// The enterprises it follows.
    pub employers: BTreeSet<EmployerId>,
}

/// Register a labour-security office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterLabourOffice {
    /// The new office's id.
    pub labour_office_id: LabourOfficeId,
    /// Its name.
    pub name: OrganisationName,
    /// Its county.
    pub region: DivisionCode,
}

/// What may be asked of a labour-security office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabourOfficeCommand {
    /// Register.
    Register(RegisterLabourOffice),
}

/// Designate a monitoring point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignatePoint {
    /// The new point's id.
    pub point_id: MonitoringPointId,
    /// Its kind.
    pub kind: PointKind,
    /// Its name.
    pub name: OrganisationName,
    /// Where it is.
    pub region: DivisionCode,
    /// For a labour-office point: the office, as registered (its id and
    /// county), which the caller loaded.
    pub labour_office: Option<LabourOffice>,
    /// The enterprises it follows from the start.
    pub employers: BTreeSet<EmployerId>,
}

/// Change the enterprises a point follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeFollowedEnterprises {
    /// To follow from now on.
    pub follow: BTreeSet<EmployerId>,
    /// To follow no more.
    pub unfollow: BTreeSet<EmployerId>,
}

/// What may be asked of a monitoring point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitoringPointCommand {
    /// Designate.
    Designate(DesignatePoint),
    /// Follow or unfollow enterprises.
    ChangeFollowed(ChangeFollowedEnterprises),
}

/// `LabourOfficeRegistered` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabourOfficeRegistered {
    /// The office.
    pub labour_office_id: LabourOfficeId,
    /// Its name.
    pub name: OrganisationName,
    /// Its county.
    pub region: DivisionCode,
}

crate::domain_events! {
    /// What happens to a labour-security office.
    pub enum LabourOfficeEvent in labour_office_id {
        /// `LabourOfficeRegistered`.
        Registered(LabourOfficeRegistered) = ("LabourOfficeRegistered", 1),
    }
}

/// `MonitoringPointDesignated` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringPointDesignated {
    /// The point.
    pub point_id: MonitoringPointId,
    /// Its kind.
    pub kind: PointKind,
    /// Its name.
    pub name: OrganisationName,
    /// Where it is.
    pub region: DivisionCode,
    /// The designated office, for that kind.
    pub labour_office_id: Option<LabourOfficeId>,
    /// The enterprises it follows.
    pub employers: BTreeSet<EmployerId>,
}

/// `MonitoringPointEnterprisesChanged` (schema 1): enterprises followed
/// from now on, and no more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringPointEnterprisesChanged {
    /// The point.
    pub point_id: MonitoringPointId,
    /// Followed from now on.
    pub followed: BTreeSet<EmployerId>,
    /// Followed no more.
    pub unfollowed: BTreeSet<EmployerId>,
}

crate::domain_events! {
    /// What happens to a monitoring point.
    pub enum MonitoringPointEvent in point_id {
        /// `MonitoringPointDesignated`.
        Designated(MonitoringPointDesignated) = ("MonitoringPointDesignated", 1),
        /// `MonitoringPointEnterprisesChanged`.
        EnterprisesChanged(MonitoringPointEnterprisesChanged) = ("MonitoringPointEnterprisesChanged", 1),
    }
}

/// Why a command on a labour-security office or a monitoring point was
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonitoringError {
    /// A registration or designation under an id already used.
    #[error("it already exists")]
    AlreadyExists,
    /// A change to a point never designated.
    #[error("no such monitoring point")]
    NotFound,
    /// A labour-office point without its office, or a platform with one.
    #[error(
        "a labour_office point names its labour-security office; a community platform names none"
    )]
    LabourOfficeMismatch,
    /// A labour-security office must be registered in a county.
    #[error("a labour-security office serves a county: its region must be a county code")]
    RegionNotCounty,
    /// A point must lie below province level.
    #[error("a monitoring point lies in a city or a county, not a province")]
    RegionIsProvince,
    /// The same enterprise both followed and unfollowed.
    #[error("an enterprise cannot be followed and unfollowed at once")]
    FollowConflict,
}

impl Coded for MonitoringError {
    fn code(&self) -> &'static str {
        match self {
            Self::AlreadyExists => "already_exists",
            Self::NotFound => "not_found",
            Self::LabourOfficeMismatch => "labour_office_mismatch",
            Self::RegionNotCounty => "region_not_county",
            Self::RegionIsProvince => "region_is_province",
            Self::FollowConflict => "follow_conflict",
        }
    }
}

impl Refusal for MonitoringError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::AlreadyExists => ErrorKind::Conflict,
            Self::NotFound => ErrorKind::NotFound,
            Self::LabourOfficeMismatch
            | Self::RegionNotCounty
            | Self::RegionIsProvince
            | Self::FollowConflict => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::LabourOfficeMismatch => Some("labour_office_id"),
            Self::RegionNotCounty | Self::RegionIsProvince => Some("region"),
            Self::FollowConflict => Some("unfollow"),
            Self::AlreadyExists | Self::NotFound => None,
        }
    }
}

impl Aggregate for LabourOffice {
    type Id = LabourOfficeId;
    type Command = LabourOfficeCommand;
    type Event = LabourOfficeEvent;
    type Error = MonitoringError;

    fn decide(
        state: Option<&Self>,
        command: LabourOfficeCommand,
    ) -> Result<Vec<LabourOfficeEvent>, MonitoringError> {
        match (state, command) {
            (Some(_), LabourOfficeCommand::Register(_)) => Err(MonitoringError::AlreadyExists),
            (None, LabourOfficeCommand::Register(register)) => {
                if register.region.level() != DivisionLevel::County {
                    return Err(MonitoringError::RegionNotCounty);
                }
                Ok(vec![LabourOfficeEvent::Registered(
                    LabourOfficeRegistered {
                        labour_office_id: register.labour_office_id,
                        name: register.name,
                        region: register.region,
                    },
                )])
            }
        }
    }

    fn evolve(state: Option<Self>, event: &LabourOfficeEvent) -> Option<Self> {
        match (state, event) {
            (None, LabourOfficeEvent::Registered(registered)) => Some(LabourOffice {
                id: registered.labour_office_id,
                name: registered.name.clone(),
                region: registered.region.clone(),
            }),
            (state, LabourOfficeEvent::Registered(_)) => state,
        }
    }
}

impl Aggregate for MonitoringPoint {
    type Id = MonitoringPointId;
    type Command = MonitoringPointCommand;
    type Event = MonitoringPointEvent;
    type Error = MonitoringError;

    fn decide(
        state: Option<&Self>,
        command: MonitoringPointCommand,
    ) -> Result<Vec<MonitoringPointEvent>, MonitoringError> {
        match (state, command) {
            (Some(_), MonitoringPointCommand::Designate(_)) => Err(MonitoringError::AlreadyExists),
            (None, MonitoringPointCommand::Designate(designate)) => designate_point(designate),
            (None, MonitoringPointCommand::ChangeFollowed(_)) => Err(MonitoringError::NotFound),
            (Some(point), MonitoringPointCommand::ChangeFollowed(change)) => {
                change_followed(point, change)
            }
        }
    }

    fn evolve(state: Option<Self>, event: &MonitoringPointEvent) -> Option<Self> {
        match (state, event) {
            (None, MonitoringPointEvent::Designated(designated)) => Some(MonitoringPoint {
                id: designated.point_id,
                kind: designated.kind,
                name: designated.name.clone(),
                region: designated.region.clone(),
                labour_office_id: designated.labour_office_id,
                employers: designated.employers.clone(),
            }),
            (Some(mut point), MonitoringPointEvent::EnterprisesChanged(changed)) => {
                point.employers.extend(changed.followed.iter().copied());
                point
                    .employers
                    .retain(|employer| !changed.unfollowed.contains(employer));
                Some(point)
            }
            (state, _) => state,
        }
    }
}

fn designate_point(
    designate: DesignatePoint,
) -> Result<Vec<MonitoringPointEvent>, MonitoringError> {
    if designate.region.level() == DivisionLevel::Province {
        return Err(MonitoringError::RegionIsProvince);
    }
    let (region, labour_office_id) = match (designate.kind, designate.labour_office) {
        (PointKind::LabourOffice, Some(office)) => (office.region, Some(office.id)),
        (PointKind::CommunityPlatform, None) => (designate.region, None),
        _ => return Err(MonitoringError::LabourOfficeMismatch),
    };
    Ok(vec![MonitoringPointEvent::Designated(
        MonitoringPointDesignated {
            point_id: designate.point_id,
            kind: designate.kind,
            name: designate.name,
            region,
            labour_office_id,
            employers: designate.employers,
        },
    )])
}

fn change_followed(
    point: &MonitoringPoint,
    change: ChangeFollowedEnterprises,
) -> Result<Vec<MonitoringPointEvent>, MonitoringError> {
    if change
        .follow
        .intersection(&change.unfollow)
        .next()
        .is_some()
    {
        return Err(MonitoringError::FollowConflict);
    }
    let followed: BTreeSet<EmployerId> = change
        .follow
        .into_iter()
        .filter(|employer| !point.employers.contains(employer))
        .collect();
    let unfollowed: BTreeSet<EmployerId> = change
        .unfollow
        .into_iter()
        .filter(|employer| point.employers.contains(employer))
        .collect();
    if followed.is_empty() && unfollowed.is_empty() {
        return Ok(vec![]);
    }
    Ok(vec![MonitoringPointEvent::EnterprisesChanged(
        MonitoringPointEnterprisesChanged {
            point_id: point.id,
            followed,
            unfollowed,
        },
    )])
}

/// What a region has and needs of monitoring points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageLine {
    /// The city or county.
    pub region: DivisionCode,
    /// `city` (community platforms) or `county` (labour-security offices).
    pub level: &'static str,
    /// Points of the kind that counts here.
    pub has: u32,
    /// What the notice asks.
    pub needs: u32,
    /// How many are missing (0 when covered).
    pub deficit: u32,
    /// For a county: its registered labour-security offices.
    pub labour_offices: Option<u32>,
    /// For a county with no labour-security office registered: what it
    /// needs cannot be known until its offices are registered.
    pub no_offices_registered: bool,
}

/// The notice's coverage rule over the points and offices of an area:
/// every prefecture city (named in `areas`, or by an office or a point)
/// has at least `rules.community_platforms_per_city` community platforms;
/// every county (named in `areas`, or by an office or a point) has at
/// least the rules' share of its labour-security offices designated as
/// points, rounded up. A city or county with nothing shows its whole need
/// as its deficit. Cities first, then counties, each in code order.
pub fn coverage(
    rules: &CoverageRules,
    offices: &[LabourOffice],
    points: &[MonitoringPoint],
    areas: &BTreeSet<DivisionCode>,
) -> Vec<CoverageLine> {
    let mut platforms: BTreeMap<DivisionCode, u32> = areas
        .iter()
        .filter(|area| area.level() == DivisionLevel::City)
        .map(|city| (city.clone(), 0))
        .collect();
    let mut counties: BTreeMap<DivisionCode, (u32, u32)> = areas
        .iter()
        .filter(|area| area.level() == DivisionLevel::County)
        .map(|county| (county.clone(), (0, 0)))
        .collect();
    for office in offices {
        counties.entry(office.region.clone()).or_default().0 += 1;
        if let Some(city) = office.region.city() {
            platforms.entry(city).or_default();
        }
    }
    for point in points {
        match point.kind {
            PointKind::CommunityPlatform => {
                if let Some(city) = point.region.city() {
                    *platforms.entry(city).or_default() += 1;
                }
            }
            PointKind::LabourOffice => {
                counties.entry(point.region.clone()).or_default().1 += 1;
            }
        }
    }
    let mut lines: Vec<CoverageLine> = platforms
        .into_iter()
        .map(|(city, has)| {
            let needs = rules.community_platforms_per_city;
            CoverageLine {
                region: city,
                level: "city",
                has,
                needs,
                deficit: needs.saturating_sub(has),
                labour_offices: None,
                no_offices_registered: false,
            }
        })
        .collect();
    lines.extend(counties.into_iter().map(|(county, (offices, has))| {
        let needs = rules.labour_office_points_needed(offices);
        CoverageLine {
            region: county,
            level: "county",
            has,
            needs,
            deficit: needs.saturating_sub(has),
            labour_offices: Some(offices),
            no_offices_registered: offices == 0,
        }
    }));
    lines
}
