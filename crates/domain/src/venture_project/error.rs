//! Why a command on a project is refused.

use crate::refusal::{Coded, ErrorKind, Refusal};

/// Why a command on a project was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VentureProjectError {
    /// A command on a project never listed.
    #[error("no such project")]
    NotFound,
    /// A listing under an id already used.
    #[error("the project already exists")]
    AlreadyExists,
    /// A minimum investment above the maximum.
    #[error("the least investment is above the most")]
    InvestmentRange,
}

impl Coded for VentureProjectError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "project_not_found",
            Self::AlreadyExists => "project_already_exists",
            Self::InvestmentRange => "investment_range",
        }
    }
}

impl Refusal for VentureProjectError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::AlreadyExists => ErrorKind::Conflict,
            Self::InvestmentRange => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::InvestmentRange => Some("investment_min_yuan"),
            _ => None,
        }
    }
}
