//! Hot streams kept warm (decision record 100): for aggregates that allow
//! it ([`Aggregate::KEEP_WARM`]), a process keeps the state it last folded
//! of each stream, with its revision, and reads only what came after it;
//! and it queues its own writers to one stream instead of letting them
//! race. A fair that thousands of visitors register for and thousands of
//! exhibitors join is one stream: without this, every command read the
//! whole of it again and most lost the race to the others.
//!
//! The store stays the judge: an append still names the revision it
//! expects, so a writer in another process is met as before (a conflict,
//! then an incremental read and a new decision).

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kurrentdb::Position;
use labex_domain::Aggregate;

/// How many streams a process keeps warm, by default.
pub const DEFAULT_WARM_STREAMS: usize = 256;

/// A stream's state as last folded.
pub(crate) struct Warm<A> {
    /// The state; `None` for a stream with no events.
    pub state: Option<A>,
    /// The revision of the last event folded.
    pub revision: Option<u64>,
    /// The `$all` position of the last event folded.
    pub position: Option<Position>,
}

impl<A: Clone> Clone for Warm<A> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            revision: self.revision,
            position: self.position,
        }
    }
}

/// One stream's slot: the writers' turn and the state last folded.
pub(crate) struct Slot {
    /// Held by the one writer of this process deciding on the stream.
    pub turn: tokio::sync::Mutex<()>,
    kept: Mutex<Option<Arc<dyn Any + Send + Sync>>>,
}

impl Slot {
    /// The state last folded, if it is of `A`.
    pub fn kept<A: Aggregate>(&self) -> Option<Arc<Warm<A>>> {
        let kept = self
            .kept
            .lock()
            .expect("a warm slot's lock is never poisoned");
        kept.clone()?.downcast::<Warm<A>>().ok()
    }

    /// Keeps `warm` unless what is kept is newer.
    pub fn keep<A: Aggregate>(&self, warm: Warm<A>) {
        let mut kept = self
            .kept
            .lock()
            .expect("a warm slot's lock is never poisoned");
        let newer = kept
            .clone()
            .and_then(|kept| kept.downcast::<Warm<A>>().ok())
            .is_some_and(|kept| kept.revision > warm.revision);
        if !newer {
            *kept = Some(Arc::new(warm));
        }
    }

    /// Forgets the state (after a read that could not be trusted to follow
    /// it).
    pub fn forget(&self) {
        *self
            .kept
            .lock()
            .expect("a warm slot's lock is never poisoned") = None;
    }
}

/// The streams a process keeps warm, shared by every clone of a
/// repository.
pub(crate) struct WarmStreams {
    capacity: usize,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

impl WarmStreams {
    /// At most `capacity` streams kept (idle ones are let go first).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The slot of `stream`, made when missing. When more streams than the
    /// capacity are kept, those nobody is using are let go.
    pub fn slot(&self, stream: &str) -> Arc<Slot> {
        let mut slots = self
            .slots
            .lock()
            .expect("the warm streams' lock is never poisoned");
        if let Some(slot) = slots.get(stream) {
            return Arc::clone(slot);
        }
        if slots.len() >= self.capacity {
            slots.retain(|_, slot| Arc::strong_count(slot) > 1);
        }
        let slot = Arc::new(Slot {
            turn: tokio::sync::Mutex::new(()),
            kept: Mutex::new(None),
        });
        slots.insert(stream.to_owned(), Arc::clone(&slot));
        slot
    }

    /// How many streams are kept now.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.slots
            .lock()
            .expect("the warm streams' lock is never poisoned")
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_streams_are_let_go_beyond_the_capacity_and_busy_ones_kept() {
        let warm = WarmStreams::new(2);
        let busy = warm.slot("fair-1");
        drop(warm.slot("fair-2"));
        assert_eq!(warm.len(), 2);
        let _third = warm.slot("fair-3");
        assert_eq!(warm.len(), 2, "the idle fair-2 was let go");
        assert!(
            Arc::ptr_eq(&busy, &warm.slot("fair-1")),
            "the busy one kept"
        );
    }
}
