//! Where persistent subscriptions keep their state in the store, through
//! `Storage::put_state`: definitions, checkpoints and parked messages (see
//! docs/decisions/004-persistent-subscriptions.md).

use super::definition::GroupId;

/// Definitions of groups, by [`GroupId::storage_key`].
pub(crate) const DEFINITIONS: &str = "persistent-subscriptions";
/// The last event each group has handled, by [`GroupId::storage_key`].
pub(crate) const CHECKPOINTS: &str = "persistent-subscription-checkpoints";

/// The namespace of a group's parked messages, whose keys are
/// [`parked_key`]s and whose values are the reasons they were parked.
pub(crate) fn parked_namespace(id: &GroupId) -> String {
    format!("persistent-subscription-parked:{}", id.storage_key())
}

/// A parked message's key: its `$all` position, zero-padded so that keys
/// sort as positions do.
pub(crate) fn parked_key(position: u64) -> String {
    format!("{position:020}")
}

pub(crate) fn parked_position(key: &str) -> Option<u64> {
    key.parse().ok()
}

pub(crate) fn encode_checkpoint(key: u64) -> Vec<u8> {
    key.to_string().into_bytes()
}

pub(crate) fn decode_checkpoint(bytes: &[u8]) -> Option<u64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parked_keys_sort_as_positions_do() {
        assert!(parked_key(9) < parked_key(10));
        assert_eq!(parked_position(&parked_key(12_345)), Some(12_345));
    }

    #[test]
    fn checkpoints_read_back() {
        assert_eq!(decode_checkpoint(&encode_checkpoint(77)), Some(77));
        assert_eq!(decode_checkpoint(b"not a number"), None);
    }
}
