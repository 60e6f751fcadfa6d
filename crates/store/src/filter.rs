//! Server-side filters of `$all` reads and subscriptions: on the stream name
//! or the event type, by prefixes or by a regular expression. The regular
//! expressions are those of .NET, which clients send; negative look-ahead
//! (`^(?!\$)`) among them, so a backtracking engine is used.

use crate::storage::RecordedEvent;

/// What a filter looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterTarget {
    StreamName,
    EventType,
}

#[derive(Debug, Clone)]
enum Matcher {
    Prefixes(Vec<String>),
    Regex(fancy_regex::Regex),
}

/// A filter that events of `$all` pass or not.
#[derive(Debug, Clone)]
pub struct EventFilter {
    target: FilterTarget,
    matcher: Matcher,
}

/// Why a filter could not be built.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("the filter's regular expression is invalid: {0}")]
    InvalidRegex(String),
    #[error("a filter needs a regular expression or at least one prefix")]
    Empty,
    #[error(
        "the filter's regular expression ran out of its budget of {BACKTRACK_LIMIT} backtracking steps on {0:?}: simplify it (no nested repetition)"
    )]
    Exhausted(String),
}

/// Backtracking steps a filter's regular expression may take on one
/// subject; past them the read or subscription fails (it does not skip the
/// event).
pub const BACKTRACK_LIMIT: usize = 100_000;

impl EventFilter {
    /// A filter from a regular expression (used when not empty) or prefixes.
    pub fn new(
        target: FilterTarget,
        regex: &str,
        prefixes: Vec<String>,
    ) -> Result<Self, FilterError> {
        let matcher = if !regex.is_empty() {
            let regex = fancy_regex::RegexBuilder::new(regex)
                .backtrack_limit(BACKTRACK_LIMIT)
                .build()
                .map_err(|error| FilterError::InvalidRegex(error.to_string()))?;
            Matcher::Regex(regex)
        } else if !prefixes.is_empty() {
            Matcher::Prefixes(prefixes)
        } else {
            return Err(FilterError::Empty);
        };
        Ok(EventFilter { target, matcher })
    }

    /// Whether the event passes; an error if the regular expression ran
    /// out of its budget on it.
    pub fn matches(&self, event: &RecordedEvent) -> Result<bool, FilterError> {
        let subject = match self.target {
            FilterTarget::StreamName => event.stream.as_str(),
            FilterTarget::EventType => event.event_type.as_str(),
        };
        match &self.matcher {
            Matcher::Prefixes(prefixes) => Ok(prefixes
                .iter()
                .any(|prefix| subject.starts_with(prefix.as_str()))),
            Matcher::Regex(regex) => regex
                .is_match(subject)
                .map_err(|_| FilterError::Exhausted(subject.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(stream: &str, event_type: &str) -> RecordedEvent {
        RecordedEvent {
            position: 1,
            stream: stream.into(),
            revision: 0,
            id: uuid::Uuid::nil(),
            event_type: event_type.into(),
            content_type: "application/json".into(),
            custom_metadata: Default::default(),
            data: Default::default(),
            created: 0,
        }
    }

    #[test]
    fn negative_lookahead_excludes_system_events() {
        let filter = EventFilter::new(FilterTarget::EventType, r"^(?!\$)", vec![]).unwrap();
        assert!(filter.matches(&event("a", "VacancyPublished")).unwrap());
        assert!(!filter.matches(&event("a", "$metadata")).unwrap());
    }

    #[test]
    fn prefixes_match_stream_names() {
        let filter = EventFilter::new(
            FilterTarget::StreamName,
            "",
            vec!["vacancy-".into(), "employer-".into()],
        )
        .unwrap();
        assert!(filter.matches(&event("vacancy-1", "X")).unwrap());
        assert!(filter.matches(&event("employer-1", "X")).unwrap());
        assert!(!filter.matches(&event("jobseeker-1", "X")).unwrap());
    }

    #[test]
    fn a_regex_out_of_budget_is_an_error_not_a_mismatch() {
        // Catastrophic backtracking: the look-ahead inside the repetition
        // keeps it in the backtracking engine, and the alternation doubles
        // its paths at each `a`.
        let filter = EventFilter::new(FilterTarget::StreamName, r"^((?=a)a|a)*b$", vec![]).unwrap();
        let subject = "a".repeat(40);
        assert!(matches!(
            filter.matches(&event(&subject, "X")),
            Err(FilterError::Exhausted(_))
        ));
    }

    #[test]
    fn an_invalid_regex_is_refused() {
        assert!(EventFilter::new(FilterTarget::EventType, "(", vec![]).is_err());
        assert!(EventFilter::new(FilterTarget::EventType, "", vec![]).is_err());
    }
}
