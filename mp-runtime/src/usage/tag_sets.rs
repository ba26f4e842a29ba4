//! The tag sets one dimension has seen this hour, each with its own counter: what
//! `meter!(dim, n, tags = ...)` adds to.
//!
//! Why interned tag sets with atomic counters, in sharded tables: a tag set seen before is
//! found by the caller's borrowed strings (hashed in key order, sorted on the stack) under
//! the read lock of one of [`SHARDS`] shards, and counted with one relaxed atomic add. So the
//! common call allocates nothing, readers never wait for each other, and two threads touch
//! the same lock word only when their tag sets hash to the same shard. Per-thread maps would
//! make the drain visit every thread's map and keep a copy of a tag set per thread; a
//! lock-free map would need epoch reclamation for the hourly reset. A new tag set takes its
//! shard's write lock once an hour.
//!
//! Bounded: one record carries at most [`MAX_TAG_SETS`] tag sets, so a dimension holds at
//! most that many between the first drain of an hour and the first drain of the next. A new
//! tag set past that is refused here ([`Added::Full`]) and billed untagged by the caller at
//! once, without growing a table the flusher would only fold into the untagged share.
//! What that costs in bytes is [`max_bytes`].

use super::saturating::Saturating;
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use mp_marketplace_rules::{MAX_TAGS, Violation, check_tags};
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// An allocation's tag set, sorted by key so the same set always lands in one allocation.
pub(crate) type Tags = Vec<(String, String)>;

/// `UsageAllocations` holds at most 2,500 entries; one is kept for the untagged share.
pub(crate) const MAX_TAG_SETS: usize = mp_marketplace_rules::MAX_ALLOCATIONS - 1;

/// Enough that two or four threads metering different tenants rarely meet on one lock word.
const SHARDS: usize = 64;

/// One dimension's tag sets of this hour.
pub(crate) struct TagSets {
    shards: [Shard; SHARDS],
    /// Tag sets held across the shards; changed only under a shard's write lock.
    held: AtomicUsize,
    limit: usize,
    hasher: RandomState,
    /// A new tag set was refused this hour (past `limit`) and the caller was told to say so.
    full_reported: AtomicBool,
}

/// A shard on cache lines of its own, so locking one does not slow its neighbours.
#[repr(align(128))]
struct Shard(RwLock<HashTable<Entry>>);

struct Entry {
    hash: u64,
    tags: Tags,
    units: Saturating,
}

/// What became of a tagged add.
#[derive(Debug)]
pub(crate) enum Added {
    /// Counted under its tag set; `refused` units would have passed the counter's ceiling.
    Counted { refused: u64 },
    /// Tags the Metering Service would refuse: nothing counted here.
    Invalid(Violation),
    /// A new tag set while the dimension holds as many as a record carries: nothing counted
    /// here. `first` is set once an hour, for the one log line.
    Full { first: bool },
}

impl TagSets {
    pub(crate) fn new() -> Self {
        Self::with_limit(MAX_TAG_SETS)
    }

    fn with_limit(limit: usize) -> Self {
        TagSets {
            shards: std::array::from_fn(|_| Shard(RwLock::new(HashTable::new()))),
            held: AtomicUsize::new(0),
            limit,
            hasher: RandomState::default(),
            full_reported: AtomicBool::new(false),
        }
    }

    /// Adds `units` to the tag set `tags` (in any order). Allocates only for a tag set not
    /// seen this hour, and checks the tags against the service's rules only then: a set that
    /// was found passed them when it was first seen.
    pub(crate) fn add<K: AsRef<str>, V: AsRef<str>>(&self, tags: &[(K, V)], units: u64) -> Added {
        let Some(sorted) = Sorted::of(tags) else {
            return match check_tags(tags) {
                Err(why) => Added::Invalid(why),
                Ok(()) => self.full(), // more tags than the rules allow: never reached
            };
        };
        let hash = sorted.hash(&self.hasher);
        let shard = &self.shards[shard_of(hash)];
        if let Some(entry) = read(shard).find(hash, |e| sorted.is(&e.tags)) {
            return Added::Counted {
                refused: entry.units.add(units),
            };
        }
        self.insert(shard, hash, &sorted, tags, units)
    }

    #[cold]
    fn insert<K: AsRef<str>, V: AsRef<str>>(
        &self,
        shard: &Shard,
        hash: u64,
        sorted: &Sorted<'_, K, V>,
        tags: &[(K, V)],
        units: u64,
    ) -> Added {
        if let Err(why) = check_tags(tags) {
            return Added::Invalid(why);
        }
        if self.held.load(Relaxed) >= self.limit {
            return self.full();
        }
        let mut table = write(shard);
        // Another thread may have added it between the read lock and this one.
        if let Some(entry) = table.find(hash, |e| sorted.is(&e.tags)) {
            return Added::Counted {
                refused: entry.units.add(units),
            };
        }
        let room = self
            .held
            .fetch_update(Relaxed, Relaxed, |n| (n < self.limit).then_some(n + 1));
        if room.is_err() {
            return self.full();
        }
        let entry = Entry {
            hash,
            tags: sorted.owned(),
            units: Saturating::new(),
        };
        let refused = entry.units.add(units);
        table.insert_unique(hash, entry, |e| e.hash);
        Added::Counted { refused }
    }

    fn full(&self) -> Added {
        let first = !self.full_reported.load(Relaxed) && !self.full_reported.swap(true, Relaxed);
        Added::Full { first }
    }

    /// Takes what each tag set counted since the last drain (the sets with usage); with
    /// `forget`, also forgets the sets, as the first drain of an hour does.
    pub(crate) fn drain(&self, forget: bool) -> Vec<(Tags, u64)> {
        let mut out = Vec::new();
        for shard in &self.shards {
            if forget {
                let mut table = write(shard);
                self.held.fetch_sub(table.len(), Relaxed);
                // The tags move out: nothing is copied.
                out.extend(
                    table
                        .drain()
                        .map(|e| (e.units.take(), e.tags))
                        .filter(|(units, _)| *units > 0)
                        .map(|(units, tags)| (tags, units)),
                );
            } else {
                let table = read(shard);
                for e in table.iter() {
                    let units = e.units.take();
                    if units > 0 {
                        out.push((e.tags.clone(), units));
                    }
                }
            }
        }
        if forget {
            self.full_reported.store(false, Relaxed);
        }
        out
    }

    /// What the tag sets counted since the last drain, without taking it.
    pub(crate) fn peek(&self) -> u64 {
        self.shards.iter().fold(0u64, |sum, shard| {
            read(shard)
                .iter()
                .fold(sum, |sum, e| sum.saturating_add(e.units.peek()))
        })
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        self.held.load(Relaxed)
    }
}

/// The most one dimension's tag sets take, in bytes: the shards, and for each of
/// [`MAX_TAG_SETS`] sets its table slot (counted twice over, for a table that just doubled,
/// with hashbrown's control byte) and its strings at the rules' longest, each heap block
/// rounded up to 16 bytes as the system allocator does. With one short tag a set takes about
/// 200 bytes, not the 2 KB of the worst case.
#[cfg(test)]
const fn max_bytes() -> usize {
    let slot = 2 * (size_of::<Entry>() + 1);
    let tag = size_of::<(String, String)>()
        + round16(mp_marketplace_rules::MAX_TAG_KEY_LEN)
        + round16(mp_marketplace_rules::MAX_TAG_VALUE_LEN);
    size_of::<TagSets>() + MAX_TAG_SETS * (slot + MAX_TAGS * tag)
}

#[cfg(test)]
const fn round16(n: usize) -> usize {
    n.div_ceil(16) * 16
}

/// Bits of the hash that neither picks the bucket (the low ones) nor fills hashbrown's
/// control byte (the top seven).
fn shard_of(hash: u64) -> usize {
    (hash >> 32) as usize % SHARDS
}

fn read(shard: &Shard) -> RwLockReadGuard<'_, HashTable<Entry>> {
    shard.0.read().unwrap_or_else(|e| e.into_inner())
}

fn write(shard: &Shard) -> RwLockWriteGuard<'_, HashTable<Entry>> {
    shard.0.write().unwrap_or_else(|e| e.into_inner())
}

/// The caller's tags in key order, as indices on the stack: no copy of a string.
struct Sorted<'a, K, V> {
    tags: &'a [(K, V)],
    order: [u8; MAX_TAGS],
}

impl<'a, K: AsRef<str>, V: AsRef<str>> Sorted<'a, K, V> {
    /// `None` for more tags than the rules allow.
    fn of(tags: &'a [(K, V)]) -> Option<Self> {
        if tags.len() > MAX_TAGS {
            return None;
        }
        let pair = |i: u8| {
            let (k, v) = &tags[usize::from(i)];
            (k.as_ref(), v.as_ref())
        };
        let mut order = [0u8; MAX_TAGS];
        for (i, slot) in order.iter_mut().enumerate().take(tags.len()) {
            *slot = i as u8;
        }
        for i in 1..tags.len() {
            let mut j = i;
            while j > 0 && pair(order[j - 1]) > pair(order[j]) {
                order.swap(j - 1, j);
                j -= 1;
            }
        }
        Some(Sorted { tags, order })
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.order[..self.tags.len()].iter().map(|&i| {
            let (k, v) = &self.tags[usize::from(i)];
            (k.as_ref(), v.as_ref())
        })
    }

    fn hash(&self, state: &RandomState) -> u64 {
        hash_of(state, self.iter())
    }

    fn is(&self, tags: &Tags) -> bool {
        tags.len() == self.tags.len()
            && self
                .iter()
                .zip(tags)
                .all(|((k, v), (key, value))| k == key && v == value)
    }

    fn owned(&self) -> Tags {
        self.iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

/// One hash for a tag set, borrowed or owned alike: each string ends with a marker, so
/// ("ab", "c") and ("a", "bc") differ.
fn hash_of<'t>(state: &RandomState, tags: impl Iterator<Item = (&'t str, &'t str)>) -> u64 {
    let mut hasher = state.build_hasher();
    for (k, v) in tags {
        k.hash(&mut hasher);
        v.hash(&mut hasher);
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn counted(added: Added) -> u64 {
        match added {
            Added::Counted { refused } => refused,
            other => panic!("not counted: {other:?}"),
        }
    }

    fn drained(sets: &TagSets, forget: bool) -> std::collections::BTreeMap<Tags, u64> {
        sets.drain(forget).into_iter().collect()
    }

    fn owned(tags: &[(&str, &str)]) -> Tags {
        tags.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_same_set_in_any_order_is_one_set_and_stays_until_the_hour_is_forgotten() {
        let sets = TagSets::new();
        counted(sets.add(&[("tenant", "a"), ("plan", "pro")], 2));
        counted(sets.add(&[("plan", "pro"), ("tenant", "a")], 3));
        let id = String::from("b");
        counted(sets.add(&[("tenant", id.as_str())], 4));
        assert_eq!(sets.peek(), 9);
        let first = drained(&sets, false);
        assert_eq!(first[&owned(&[("plan", "pro"), ("tenant", "a")])], 5);
        assert_eq!(first[&owned(&[("tenant", "b")])], 4);
        assert_eq!(sets.held(), 2, "kept for the rest of the hour");
        assert!(sets.drain(false).is_empty(), "nothing new since");
        counted(sets.add(&[("tenant", "b")], 1));
        assert_eq!(drained(&sets, true).len(), 1);
        assert_eq!(sets.held(), 0, "a new hour starts empty");
    }

    #[test]
    fn refused_tags_are_not_counted() {
        let sets = TagSets::new();
        for bad in [
            vec![("tenant", "acme!")],
            vec![],
            vec![("k", "v"); 6],
            vec![("k", "v"), ("k", "w")],
        ] {
            assert!(matches!(sets.add(&bad, 1), Added::Invalid(_)), "{bad:?}");
        }
        assert_eq!(sets.held(), 0);
    }

    #[test]
    fn past_the_limit_a_new_set_is_refused_once_reported_and_a_known_one_still_counts() {
        let sets = TagSets::with_limit(3);
        for t in ["a", "b", "c"] {
            counted(sets.add(&[("tenant", t)], 1));
        }
        assert!(matches!(
            sets.add(&[("tenant", "d")], 1),
            Added::Full { first: true }
        ));
        assert!(matches!(
            sets.add(&[("tenant", "e")], 1),
            Added::Full { first: false }
        ));
        counted(sets.add(&[("tenant", "a")], 1));
        assert_eq!(drained(&sets, false).values().sum::<u64>(), 4);
        assert!(matches!(
            sets.add(&[("tenant", "d")], 1),
            Added::Full { first: false }
        ));
        sets.drain(true);
        counted(sets.add(&[("tenant", "d")], 1));
        for t in ["e", "f"] {
            counted(sets.add(&[("tenant", t)], 1));
        }
        assert!(
            matches!(sets.add(&[("tenant", "g")], 1), Added::Full { first: true }),
            "reported again in the next hour"
        );
    }

    /// Threads adding new and known sets past the limit while another drains and forgets:
    /// never more sets held than the limit, and every unit counted is drained once.
    #[test]
    fn threads_racing_for_the_last_slots_never_pass_the_limit_nor_lose_units() {
        const LIMIT: usize = 50;
        let sets = TagSets::with_limit(LIMIT);
        let (counted_units, drained_units) = std::thread::scope(|s| {
            let adders: Vec<_> = (0..4)
                .map(|t| {
                    let sets = &sets;
                    s.spawn(move || {
                        let mut counted = 0u64;
                        for i in 0..20_000u64 {
                            let tenant = ((i * 7 + t) % 120).to_string();
                            if let Added::Counted { .. } = sets.add(&[("tenant", tenant)], 1) {
                                counted += 1;
                            }
                            assert!(sets.held() <= LIMIT);
                        }
                        counted
                    })
                })
                .collect();
            let mut drained = 0u64;
            let mut forget = false;
            while adders.iter().any(|a| !a.is_finished()) {
                drained += sets.drain(forget).iter().map(|(_, q)| q).sum::<u64>();
                forget = !forget;
            }
            let counted: u64 = adders.into_iter().map(|a| a.join().unwrap()).sum();
            (counted, drained)
        });
        let rest: u64 = sets.drain(true).iter().map(|(_, q)| q).sum();
        assert_eq!(drained_units + rest, counted_units);
        assert_eq!(sets.held(), 0);
    }

    #[test]
    fn the_bound_in_bytes_is_what_the_docs_say() {
        assert!(size_of::<Entry>() <= 48, "{}", size_of::<Entry>());
        // docs/dimensions.md states the bound.
        assert_eq!(max_bytes(), 5_411_158);
    }

    proptest! {
        #![proptest_config(crate::fixed_seed::config(256, 0x7461_6773))]

        /// Borrowed and owned views of one set hash and compare alike, whatever the order
        /// the caller lists the tags in; different sets compare unequal.
        #[test]
        fn a_set_is_found_by_its_borrowed_strings_in_any_order(
            set in prop::collection::btree_map("[a-c]{1,3}", "[a-c]{0,3}", 1..=MAX_TAGS),
            other in prop::collection::btree_map("[a-c]{1,3}", "[a-c]{0,3}", 1..=MAX_TAGS),
            rotate in 0usize..MAX_TAGS,
        ) {
            let state = RandomState::default();
            let mut listed: Vec<(String, String)> = set.clone().into_iter().collect();
            let sorted_owned = listed.clone();
            let n = listed.len();
            listed.rotate_left(rotate % n);
            listed.reverse();
            let view = Sorted::of(&listed).unwrap();
            prop_assert!(view.is(&sorted_owned));
            prop_assert_eq!(view.owned(), sorted_owned.clone());
            let owned_hash = hash_of(&state, sorted_owned.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            prop_assert_eq!(view.hash(&state), owned_hash);
            let other: Tags = other.into_iter().collect();
            prop_assert_eq!(view.is(&other), other == sorted_owned);
        }
    }
}
