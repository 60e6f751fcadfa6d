//! Why something was refused, in terms every context shares: a stable
//! [`Coded`] code, and for an aggregate's refusal of a command a
//! [`Refusal`] with its [`ErrorKind`] and the command field at fault.
//!
//! Each context keeps its own error enum (`JobSeekerError`,
//! `VacancyError`, …) beside its aggregate and implements [`Refusal`] for
//! it; the shared parts (the repository, the HTTP edge) know refusals only
//! through this trait, or carry one type-erased as [`Refused`].

use std::error::Error;
use std::fmt;

/// A stable machine-readable code for an error (`resident_id.check_character`,
/// `vacancy_not_open`): for the `type` of a problem or the per-field
/// `errors` of a problem response. Codes never change once published;
/// messages may.
pub trait Coded {
    /// The code: lowercase, `_` and `.` separated, stable.
    fn code(&self) -> &'static str;
}

/// The class of a refusal, which the HTTP edge maps to a status in one
/// place: `NotFound` → 404, `Conflict` → 409, `Unprocessable` → 422.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The command is about an aggregate that does not exist.
    NotFound,
    /// The command is well formed but the current state forbids it; it may
    /// succeed once the state changes.
    Conflict,
    /// The command contradicts itself or a rule of the domain whatever the
    /// state; resending it unchanged will never succeed.
    Unprocessable,
}

/// A refusal by an aggregate's `decide`: a lowercase log-style message
/// (`Display`), a stable [`code`](Coded::code), a [`kind`](Self::kind)
/// and, where one field of the command is at fault, that
/// [`field`](Self::field) as the API names it.
pub trait Refusal: Coded + Error + Send + Sync + 'static {
    /// The class of the refusal, for the HTTP status.
    fn kind(&self) -> ErrorKind;

    /// The command field at fault, named as in the API, where there is one.
    fn field(&self) -> Option<&'static str>;
}

/// Any context's refusal, type-erased, for the layers that carry refusals
/// of every aggregate alike (the repository's errors); [`downcast_ref`]
/// gives back the context's own error.
///
/// [`downcast_ref`]: Self::downcast_ref
pub struct Refused(Box<dyn Refusal>);

impl Refused {
    /// Erases the type of `refusal`.
    pub fn new(refusal: impl Refusal) -> Self {
        Self(Box::new(refusal))
    }

    /// The refusal, as the context's own error type `E`, if it is one.
    pub fn downcast_ref<E: Refusal>(&self) -> Option<&E> {
        let error: &(dyn Error + 'static) = &*self.0;
        error.downcast_ref::<E>()
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// The class of the refusal.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind()
    }

    /// The command field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        self.0.field()
    }
}

impl fmt::Debug for Refused {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, formatter)
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, formatter)
    }
}

impl Error for Refused {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.0)
    }
}

/// Checks a context's catalogue of refusals in its unit tests: every code
/// is snake_case and used by one variant only.
#[cfg(test)]
pub(crate) fn assert_codes_unique(refusals: &[&dyn Refusal]) {
    let mut codes: Vec<_> = refusals.iter().map(|refusal| refusal.code()).collect();
    for code in &codes {
        assert!(
            code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{code}"
        );
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), refusals.len(), "a code used twice");
}
