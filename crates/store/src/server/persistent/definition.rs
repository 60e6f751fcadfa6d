//! What a subscription group is: its source (a stream or `$all`), its name,
//! where it starts, its filter and settings. Parsed once from Create and
//! Update requests; stored as the Create options that would make it again,
//! so that one parser serves requests and the definitions kept on disk.

use std::fmt;
use std::time::Duration;

use prost::Message as _;

use super::error::PersistentError;
use crate::filter::{EventFilter, FilterTarget};
use crate::proto::persistent_subscriptions::{create_req, update_req};
use crate::proto::shared::{Empty, StreamIdentifier};
use crate::server::convert::{stream_identifier, stream_name};
use crate::storage::{ALL_STREAM, Storage, StoreError};

/// Ticks (100 ns) in a millisecond, for the settings sent in ticks.
const TICKS_PER_MILLISECOND: i64 = 10_000;
/// Largest read-ahead of a group, whatever its settings ask.
const MAX_BUFFER: u32 = 100_000;

/// Where a group's events come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Source {
    Stream(String),
    All,
}

impl Source {
    /// The name clients use for it: the stream's, or `$all`.
    pub(crate) fn name(&self) -> &str {
        match self {
            Source::Stream(name) => name,
            Source::All => ALL_STREAM,
        }
    }

    fn from_name(name: String) -> Source {
        if name == ALL_STREAM {
            Source::All
        } else {
            Source::Stream(name)
        }
    }

    /// The source named by a request's stream identifier.
    pub(crate) fn from_identifier(
        identifier: Option<StreamIdentifier>,
    ) -> Result<Source, PersistentError> {
        let name = stream_name(identifier)
            .map_err(|status| PersistentError::InvalidRequest(status.message().to_owned()))?;
        Ok(Source::from_name(name))
    }
}

/// A group, named by its source and its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct GroupId {
    pub(crate) source: Source,
    pub(crate) group: String,
}

impl GroupId {
    pub(crate) fn new(source: Source, group: String) -> Result<GroupId, PersistentError> {
        if group.is_empty() {
            return Err(PersistentError::InvalidRequest(
                "The request names no subscription group; give its group name.".into(),
            ));
        }
        Ok(GroupId { source, group })
    }

    /// The key of the group's values in the store: unambiguous whatever
    /// the names contain.
    pub(crate) fn storage_key(&self) -> String {
        serde_json::Value::from(vec![self.source.name(), self.group.as_str()]).to_string()
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}::{}", self.source.name(), self.group)
    }
}

/// Where a group starts reading when it has no checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    Beginning,
    End,
    /// A revision of the stream, or a commit position in `$all`; inclusive.
    At(u64),
}

/// How a group shares events among its consumers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// Fill the first consumer with room, then the next.
    DispatchToSingle,
    /// Each event to the next consumer with room, in turn.
    RoundRobin,
    /// Served as `DispatchToSingle`, which keeps a stream's events on one
    /// consumer while it has room.
    Pinned,
    /// Served as `DispatchToSingle`, like `Pinned`.
    PinnedByCorrelation,
}

impl Strategy {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Strategy::DispatchToSingle => "DispatchToSingle",
            Strategy::RoundRobin => "RoundRobin",
            Strategy::Pinned => "Pinned",
            Strategy::PinnedByCorrelation => "PinnedByCorrelation",
        }
    }

    fn from_name(name: &str) -> Result<Strategy, PersistentError> {
        match name {
            "DispatchToSingle" => Ok(Strategy::DispatchToSingle),
            "RoundRobin" => Ok(Strategy::RoundRobin),
            "Pinned" => Ok(Strategy::Pinned),
            "PinnedByCorrelation" => Ok(Strategy::PinnedByCorrelation),
            other => Err(PersistentError::SettingsRefused(format!(
                "Unknown consumer strategy '{other}'; use DispatchToSingle, RoundRobin, Pinned or PinnedByCorrelation."
            ))),
        }
    }

    fn from_number(number: i32) -> Result<Strategy, PersistentError> {
        match create_req::ConsumerStrategy::try_from(number) {
            Ok(create_req::ConsumerStrategy::DispatchToSingle) => Ok(Strategy::DispatchToSingle),
            Ok(create_req::ConsumerStrategy::RoundRobin) => Ok(Strategy::RoundRobin),
            Ok(create_req::ConsumerStrategy::Pinned) => Ok(Strategy::Pinned),
            Err(_) => Err(PersistentError::InvalidRequest(format!(
                "Unknown consumer strategy number {number}."
            ))),
        }
    }

    fn number(self) -> create_req::ConsumerStrategy {
        match self {
            Strategy::RoundRobin => create_req::ConsumerStrategy::RoundRobin,
            Strategy::Pinned | Strategy::PinnedByCorrelation => {
                create_req::ConsumerStrategy::Pinned
            }
            Strategy::DispatchToSingle => create_req::ConsumerStrategy::DispatchToSingle,
        }
    }
}

/// A group's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) resolve_links: bool,
    pub(crate) extra_statistics: bool,
    /// How long a consumer has to answer for an event; none for zero.
    pub(crate) message_timeout: Option<Duration>,
    /// Redeliveries of an event before it is parked.
    pub(crate) max_retry_count: u32,
    pub(crate) checkpoint_after: Duration,
    pub(crate) min_checkpoint_count: u32,
    pub(crate) max_checkpoint_count: u32,
    /// Zero for no limit.
    pub(crate) max_subscriber_count: u32,
    pub(crate) live_buffer_size: u32,
    pub(crate) read_batch_size: u32,
    pub(crate) history_buffer_size: u32,
    pub(crate) strategy: Strategy,
}

/// The settings as either request carries them.
struct RawSettings {
    resolve_links: bool,
    extra_statistics: bool,
    message_timeout_ms: i64,
    max_retry_count: i32,
    checkpoint_after_ms: i64,
    min_checkpoint_count: i32,
    max_checkpoint_count: i32,
    max_subscriber_count: i32,
    live_buffer_size: i32,
    read_batch_size: i32,
    history_buffer_size: i32,
    strategy: Result<Strategy, PersistentError>,
}

impl From<create_req::Settings> for RawSettings {
    fn from(settings: create_req::Settings) -> Self {
        use create_req::settings::{CheckpointAfter, MessageTimeout};
        let strategy = if settings.consumer_strategy.is_empty() {
            Strategy::from_number(settings.named_consumer_strategy)
        } else {
            Strategy::from_name(&settings.consumer_strategy)
        };
        RawSettings {
            resolve_links: settings.resolve_links,
            extra_statistics: settings.extra_statistics,
            message_timeout_ms: match settings.message_timeout {
                Some(MessageTimeout::MessageTimeoutMs(ms)) => i64::from(ms),
                Some(MessageTimeout::MessageTimeoutTicks(ticks)) => ticks / TICKS_PER_MILLISECOND,
                None => 0,
            },
            max_retry_count: settings.max_retry_count,
            checkpoint_after_ms: match settings.checkpoint_after {
                Some(CheckpointAfter::CheckpointAfterMs(ms)) => i64::from(ms),
                Some(CheckpointAfter::CheckpointAfterTicks(ticks)) => ticks / TICKS_PER_MILLISECOND,
                None => 0,
            },
            min_checkpoint_count: settings.min_checkpoint_count,
            max_checkpoint_count: settings.max_checkpoint_count,
            max_subscriber_count: settings.max_subscriber_count,
            live_buffer_size: settings.live_buffer_size,
            read_batch_size: settings.read_batch_size,
            history_buffer_size: settings.history_buffer_size,
            strategy,
        }
    }
}

impl From<update_req::Settings> for RawSettings {
    fn from(settings: update_req::Settings) -> Self {
        use update_req::settings::{CheckpointAfter, MessageTimeout};
        RawSettings {
            resolve_links: settings.resolve_links,
            extra_statistics: settings.extra_statistics,
            message_timeout_ms: match settings.message_timeout {
                Some(MessageTimeout::MessageTimeoutMs(ms)) => i64::from(ms),
                Some(MessageTimeout::MessageTimeoutTicks(ticks)) => ticks / TICKS_PER_MILLISECOND,
                None => 0,
            },
            max_retry_count: settings.max_retry_count,
            checkpoint_after_ms: match settings.checkpoint_after {
                Some(CheckpointAfter::CheckpointAfterMs(ms)) => i64::from(ms),
                Some(CheckpointAfter::CheckpointAfterTicks(ticks)) => ticks / TICKS_PER_MILLISECOND,
                None => 0,
            },
            min_checkpoint_count: settings.min_checkpoint_count,
            max_checkpoint_count: settings.max_checkpoint_count,
            max_subscriber_count: settings.max_subscriber_count,
            live_buffer_size: settings.live_buffer_size,
            read_batch_size: settings.read_batch_size,
            history_buffer_size: settings.history_buffer_size,
            strategy: Strategy::from_number(settings.named_consumer_strategy),
        }
    }
}

fn not_negative(name: &str, value: i64) -> Result<u64, PersistentError> {
    u64::try_from(value).map_err(|_| {
        PersistentError::InvalidRequest(format!(
            "The setting {name} is {value}; it cannot be negative."
        ))
    })
}

fn count(name: &str, value: i32) -> Result<u32, PersistentError> {
    let value = not_negative(name, i64::from(value))?;
    Ok(u32::try_from(value).unwrap_or(u32::MAX))
}

/// A buffer size; zero takes the protocol's default.
fn buffer(name: &str, value: i32, default: u32) -> Result<u32, PersistentError> {
    let value = count(name, value)?;
    Ok(if value == 0 {
        default
    } else {
        value.min(MAX_BUFFER)
    })
}

impl Settings {
    fn parse(raw: RawSettings) -> Result<Settings, PersistentError> {
        let timeout_ms = not_negative("message_timeout", raw.message_timeout_ms)?;
        let checkpoint_after_ms = not_negative("checkpoint_after", raw.checkpoint_after_ms)?;
        let min_checkpoint_count = count("min_checkpoint_count", raw.min_checkpoint_count)?;
        let max_checkpoint_count = count("max_checkpoint_count", raw.max_checkpoint_count)?;
        if max_checkpoint_count < min_checkpoint_count {
            return Err(PersistentError::InvalidRequest(format!(
                "The setting max_checkpoint_count ({max_checkpoint_count}) is below min_checkpoint_count ({min_checkpoint_count}); raise it."
            )));
        }
        let read_batch_size = buffer("read_batch_size", raw.read_batch_size, 20)?;
        let history_buffer_size = buffer("history_buffer_size", raw.history_buffer_size, 500)?;
        if read_batch_size >= history_buffer_size {
            return Err(PersistentError::SettingsRefused(format!(
                "The setting read_batch_size ({read_batch_size}) must be below history_buffer_size ({history_buffer_size}); lower it or raise the history buffer."
            )));
        }
        Ok(Settings {
            resolve_links: raw.resolve_links,
            extra_statistics: raw.extra_statistics,
            message_timeout: (timeout_ms > 0).then(|| Duration::from_millis(timeout_ms)),
            max_retry_count: count("max_retry_count", raw.max_retry_count)?,
            checkpoint_after: Duration::from_millis(checkpoint_after_ms),
            min_checkpoint_count,
            max_checkpoint_count,
            max_subscriber_count: count("max_subscriber_count", raw.max_subscriber_count)?,
            live_buffer_size: buffer("live_buffer_size", raw.live_buffer_size, 500)?,
            read_batch_size,
            history_buffer_size,
            strategy: raw.strategy?,
        })
    }

    fn to_create(&self) -> create_req::Settings {
        use create_req::settings::{CheckpointAfter, MessageTimeout};
        let milliseconds =
            |duration: Duration| i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
        let small = |value: u32| i32::try_from(value).unwrap_or(i32::MAX);
        create_req::Settings {
            resolve_links: self.resolve_links,
            revision: 0,
            extra_statistics: self.extra_statistics,
            max_retry_count: small(self.max_retry_count),
            min_checkpoint_count: small(self.min_checkpoint_count),
            max_checkpoint_count: small(self.max_checkpoint_count),
            max_subscriber_count: small(self.max_subscriber_count),
            live_buffer_size: small(self.live_buffer_size),
            read_batch_size: small(self.read_batch_size),
            history_buffer_size: small(self.history_buffer_size),
            named_consumer_strategy: self.strategy.number() as i32,
            consumer_strategy: self.strategy.name().to_owned(),
            message_timeout: Some(MessageTimeout::MessageTimeoutMs(
                self.message_timeout.map_or(0, milliseconds),
            )),
            checkpoint_after: Some(CheckpointAfter::CheckpointAfterMs(milliseconds(
                self.checkpoint_after,
            ))),
        }
    }
}

/// A server-side filter of a group on `$all`, as it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterSpec {
    pub(crate) target: FilterTarget,
    pub(crate) regex: String,
    pub(crate) prefixes: Vec<String>,
}

impl FilterSpec {
    pub(crate) fn build(&self) -> Result<EventFilter, PersistentError> {
        EventFilter::new(self.target, &self.regex, self.prefixes.clone()).map_err(|error| {
            PersistentError::InvalidRequest(format!("The filter is invalid: {error}."))
        })
    }
}

/// A subscription group, as created or last updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Definition {
    pub(crate) id: GroupId,
    pub(crate) start: Start,
    pub(crate) filter: Option<FilterSpec>,
    pub(crate) settings: Settings,
    /// Where the group begins while it has no checkpoint: the key (stream
    /// revision, or `$all` position) of the last event it counts as
    /// handled. `start` resolved when the group was created or updated, so
    /// that "end" means the end at that moment.
    pub(crate) origin: Option<u64>,
}

/// A definition as the store keeps it.
#[derive(Clone, PartialEq, prost::Message)]
struct StoredDefinition {
    #[prost(message, optional, tag = "1")]
    options: Option<create_req::Options>,
    #[prost(uint64, optional, tag = "2")]
    origin: Option<u64>,
}

impl Definition {
    /// A definition from a Create request; its origin is still to resolve.
    pub(crate) fn from_create(
        options: Option<create_req::Options>,
    ) -> Result<Definition, PersistentError> {
        use create_req::all_options::{AllOption, FilterOption, filter_options::Filter};
        use create_req::options::StreamOption;
        use create_req::stream_options::RevisionOption;

        let options = options
            .ok_or_else(|| PersistentError::InvalidRequest("The request has no options.".into()))?;
        let settings = options.settings.unwrap_or_default();
        let legacy_start = settings.revision;
        let settings = Settings::parse(settings.into())?;
        let (source, start, filter) = match options.stream_option {
            Some(StreamOption::Stream(stream)) => {
                let source = Source::from_identifier(stream.stream_identifier)?;
                let start = match stream.revision_option {
                    Some(RevisionOption::Start(Empty {})) | None => Start::Beginning,
                    Some(RevisionOption::End(Empty {})) => Start::End,
                    Some(RevisionOption::Revision(revision)) => Start::At(revision),
                };
                (source, start, None)
            }
            Some(StreamOption::All(all)) => {
                let start = match all.all_option {
                    Some(AllOption::Start(Empty {})) | None => Start::Beginning,
                    Some(AllOption::End(Empty {})) => Start::End,
                    Some(AllOption::Position(position)) => Start::At(position.commit_position),
                };
                let filter = match all.filter_option {
                    Some(FilterOption::Filter(filter)) => {
                        let (target, expression) = match filter.filter {
                            Some(Filter::StreamIdentifier(expression)) => {
                                (FilterTarget::StreamName, expression)
                            }
                            Some(Filter::EventType(expression)) => {
                                (FilterTarget::EventType, expression)
                            }
                            None => {
                                return Err(PersistentError::InvalidRequest(
                                    "The filter names nothing to filter on; give a stream or event-type filter.".into(),
                                ));
                            }
                        };
                        Some(FilterSpec {
                            target,
                            regex: expression.regex,
                            prefixes: expression.prefix,
                        })
                    }
                    Some(FilterOption::NoFilter(Empty {})) | None => None,
                };
                (Source::All, start, filter)
            }
            // Clients older than the stream option name the stream alone,
            // with the start revision in the settings.
            None => {
                let source = Source::from_identifier(options.stream_identifier)?;
                let start = if legacy_start == 0 {
                    Start::Beginning
                } else {
                    Start::At(legacy_start)
                };
                (source, start, None)
            }
        };
        if let Some(filter) = &filter {
            filter.build()?;
        }
        Ok(Definition {
            id: GroupId::new(source, options.group_name)?,
            start,
            filter,
            settings,
            origin: None,
        })
    }

    /// The definition an Update request makes of `current`; its origin is
    /// still to resolve. The filter of a group on `$all` is kept.
    pub(crate) fn updated(
        &self,
        options: update_req::Options,
    ) -> Result<Definition, PersistentError> {
        use update_req::all_options::AllOption;
        use update_req::options::StreamOption;
        use update_req::stream_options::RevisionOption;

        let settings = options.settings.unwrap_or_default();
        let legacy_start = settings.revision;
        let settings = Settings::parse(settings.into())?;
        let start = match options.stream_option {
            Some(StreamOption::Stream(stream)) => match stream.revision_option {
                Some(RevisionOption::Start(Empty {})) | None => Start::Beginning,
                Some(RevisionOption::End(Empty {})) => Start::End,
                Some(RevisionOption::Revision(revision)) => Start::At(revision),
            },
            Some(StreamOption::All(all)) => match all.all_option {
                Some(AllOption::Start(Empty {})) | None => Start::Beginning,
                Some(AllOption::End(Empty {})) => Start::End,
                Some(AllOption::Position(position)) => Start::At(position.commit_position),
            },
            None if legacy_start == 0 => Start::Beginning,
            None => Start::At(legacy_start),
        };
        Ok(Definition {
            id: self.id.clone(),
            start,
            filter: self.filter.clone(),
            settings,
            origin: None,
        })
    }

    /// Resolves where the group begins while it has no checkpoint.
    pub(crate) async fn resolve_origin(&mut self, storage: &Storage) -> Result<(), StoreError> {
        self.origin = match (&self.id.source, self.start) {
            (_, Start::Beginning) => None,
            (_, Start::At(key)) => key.checked_sub(1),
            (Source::All, Start::End) => Some(storage.head()).filter(|head| *head > 0),
            (Source::Stream(name), Start::End) => {
                let name = name.clone();
                let info = storage
                    .read(move |reader| reader.stream_info(&name))
                    .await?;
                info.and_then(|info| info.last_revision)
            }
        };
        Ok(())
    }

    fn to_create(&self) -> create_req::Options {
        use create_req::all_options::{AllOption, FilterOption, FilterOptions, filter_options};
        use create_req::options::StreamOption;
        use create_req::stream_options::RevisionOption;

        let stream_option = match &self.id.source {
            Source::Stream(name) => StreamOption::Stream(create_req::StreamOptions {
                stream_identifier: Some(stream_identifier(name)),
                revision_option: Some(match self.start {
                    Start::Beginning => RevisionOption::Start(Empty {}),
                    Start::End => RevisionOption::End(Empty {}),
                    Start::At(revision) => RevisionOption::Revision(revision),
                }),
            }),
            Source::All => StreamOption::All(create_req::AllOptions {
                all_option: Some(match self.start {
                    Start::Beginning => AllOption::Start(Empty {}),
                    Start::End => AllOption::End(Empty {}),
                    Start::At(position) => AllOption::Position(create_req::Position {
                        commit_position: position,
                        prepare_position: position,
                    }),
                }),
                filter_option: Some(match &self.filter {
                    None => FilterOption::NoFilter(Empty {}),
                    Some(filter) => {
                        let expression = filter_options::Expression {
                            regex: filter.regex.clone(),
                            prefix: filter.prefixes.clone(),
                        };
                        FilterOption::Filter(FilterOptions {
                            filter: Some(match filter.target {
                                FilterTarget::StreamName => {
                                    filter_options::Filter::StreamIdentifier(expression)
                                }
                                FilterTarget::EventType => {
                                    filter_options::Filter::EventType(expression)
                                }
                            }),
                            window: Some(filter_options::Window::Count(Empty {})),
                            checkpoint_interval_multiplier: 1,
                        })
                    }
                }),
            }),
        };
        create_req::Options {
            stream_identifier: None,
            group_name: self.id.group.clone(),
            settings: Some(self.settings.to_create()),
            stream_option: Some(stream_option),
        }
    }

    /// The bytes the store keeps for this definition.
    pub(crate) fn encode(&self) -> Vec<u8> {
        StoredDefinition {
            options: Some(self.to_create()),
            origin: self.origin,
        }
        .encode_to_vec()
    }

    /// A definition the store kept.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Definition, PersistentError> {
        let stored = StoredDefinition::decode(bytes).map_err(|error| {
            PersistentError::InvalidRequest(format!(
                "The stored definition is unreadable: {error}."
            ))
        })?;
        let mut definition = Definition::from_create(stored.options)?;
        definition.origin = stored.origin;
        Ok(definition)
    }

    /// `start_from` as GetInfo reports it: `-1` for the end, `0` for the
    /// beginning, and positions in `$all` as `C:<commit>/P:<prepare>`.
    pub(crate) fn start_from(&self) -> String {
        match (&self.id.source, self.start) {
            (Source::Stream(_), Start::Beginning) => "0".into(),
            (Source::Stream(_), Start::End) => "-1".into(),
            (Source::Stream(_), Start::At(revision)) => revision.to_string(),
            (Source::All, Start::Beginning) => "C:0/P:0".into(),
            (Source::All, Start::End) => "C:-1/P:-1".into(),
            (Source::All, Start::At(position)) => format!("C:{position}/P:{position}"),
        }
    }

    /// A key (stream revision or `$all` position) as GetInfo reports it.
    pub(crate) fn describe_key(&self, key: u64) -> String {
        match self.id.source {
            Source::Stream(_) => key.to_string(),
            Source::All => format!("C:{key}/P:{key}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create_options() -> create_req::Options {
        use create_req::all_options::{AllOption, FilterOption, FilterOptions, filter_options};
        create_req::Options {
            stream_identifier: None,
            group_name: "billing".into(),
            settings: Some(create_req::Settings {
                max_retry_count: 3,
                min_checkpoint_count: 1,
                max_checkpoint_count: 5,
                consumer_strategy: "RoundRobin".into(),
                message_timeout: Some(create_req::settings::MessageTimeout::MessageTimeoutTicks(
                    20_000_000,
                )),
                ..Default::default()
            }),
            stream_option: Some(create_req::options::StreamOption::All(
                create_req::AllOptions {
                    all_option: Some(AllOption::Position(create_req::Position {
                        commit_position: 42,
                        prepare_position: 42,
                    })),
                    filter_option: Some(FilterOption::Filter(FilterOptions {
                        filter: Some(filter_options::Filter::StreamIdentifier(
                            filter_options::Expression {
                                regex: String::new(),
                                prefix: vec!["order-".into()],
                            },
                        )),
                        window: None,
                        checkpoint_interval_multiplier: 1,
                    })),
                },
            )),
        }
    }

    #[test]
    fn a_stored_definition_reads_back_as_it_was() {
        let mut definition = Definition::from_create(Some(create_options())).unwrap();
        definition.origin = Some(41);
        let read_back = Definition::decode(&definition.encode()).unwrap();
        assert_eq!(read_back, definition);
        assert_eq!(
            read_back.settings.message_timeout,
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            read_back.settings.read_batch_size, 20,
            "zero takes the default"
        );
        assert_eq!(read_back.start_from(), "C:42/P:42");
    }

    #[test]
    fn negative_settings_are_invalid_and_unknown_strategies_refused_as_kurrentdb_does() {
        let mut options = create_options();
        options.settings.as_mut().unwrap().max_retry_count = -1;
        assert!(matches!(
            Definition::from_create(Some(options)),
            Err(PersistentError::InvalidRequest(_))
        ));
        let mut options = create_options();
        options.settings.as_mut().unwrap().consumer_strategy = "Random".into();
        assert!(matches!(
            Definition::from_create(Some(options)),
            Err(PersistentError::SettingsRefused(_))
        ));
    }

    #[test]
    fn a_read_batch_not_below_the_history_buffer_is_refused() {
        let mut options = create_options();
        let settings = options.settings.as_mut().unwrap();
        settings.read_batch_size = 200;
        settings.history_buffer_size = 100;
        assert!(matches!(
            Definition::from_create(Some(options)),
            Err(PersistentError::SettingsRefused(_))
        ));
    }

    #[test]
    fn storage_keys_cannot_be_confused_by_separators_in_names() {
        let left = GroupId::new(Source::Stream("a::b".into()), "c".into()).unwrap();
        let right = GroupId::new(Source::Stream("a".into()), "b::c".into()).unwrap();
        assert_ne!(left.storage_key(), right.storage_key());
    }
}
