//! Two small open-addressing tables for keys that are already hashes (well spread), with linear
//! probing, at most half full and no removal: one or two probes per look-up instead of a general
//! hash map's hashing, control bytes and growth checks.
//!
//! - [`Table`]: the first item showing each 32-bit id prefix.
//! - [`Repeats`]: the last earlier item with the same 128-bit text key, for occurrence counts.
//!
//! A slot is two `u32`s side by side (8 bytes: one cache line per look-up, not one for a key and
//! one for its value), and all zeros is an empty slot, so a new table is zeroed memory the system
//! hands out without it being written. A template's look-ups land at random in its tables, so
//! their size is what a large template's load waits on: 8 bytes a slot is a third of a 128-bit
//! key with its value.

/// An empty slot.
const EMPTY: [u32; 2] = [0; 2];

/// The slots both tables share: linear probing, at most half full. A slot's second `u32` is 0
/// when it is empty.
struct Slots {
    slots: Vec<[u32; 2]>,
    mask: usize,
    len: usize,
}

impl Slots {
    /// Room for about `n` keys at most half full.
    fn with_capacity(n: usize) -> Self {
        let cap = n.saturating_mul(2).next_power_of_two().max(16);
        Self {
            slots: vec![EMPTY; cap],
            mask: cap - 1,
            len: 0,
        }
    }

    /// Twice the room when one more key would make it more than half full, every slot moved to
    /// where `spread` says it starts.
    fn make_room(&mut self, spread: impl Fn(&[u32; 2]) -> usize) {
        if 2 * (self.len + 1) <= self.slots.len() {
            return;
        }
        let cap = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; cap]);
        self.mask = cap - 1;
        for slot in old.into_iter().filter(|s| s[1] != 0) {
            let mut i = spread(&slot) & self.mask;
            while self.slots[i][1] != 0 {
                i = (i + 1) & self.mask;
            }
            self.slots[i] = slot;
        }
    }

    /// Fills the empty slot `i`.
    fn fill(&mut self, i: usize, slot: [u32; 2]) {
        self.slots[i] = slot;
        self.len += 1;
    }
}

/// A value stored plus one (0 marks an empty slot); item indices of a template fit (at most 64
/// MiB).
fn stored(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX - 1) + 1
}

/// `u32` keys to `usize` values (item indices).
pub(super) struct Table(Slots);

impl Table {
    /// A table for about `n` keys.
    pub(super) fn with_capacity(n: usize) -> Self {
        Self(Slots::with_capacity(n))
    }

    /// The value of `key`, inserting `default` when the key is new.
    pub(super) fn get_or_insert(&mut self, key: u32, default: usize) -> usize {
        let t = &mut self.0;
        t.make_room(|s| s[0] as usize);
        let mut i = key as usize & t.mask;
        loop {
            let [k, v] = t.slots[i];
            if v == 0 {
                t.fill(i, [key, stored(default)]);
                return default;
            }
            if k == key {
                return (v - 1) as usize;
            }
            i = (i + 1) & t.mask;
        }
    }
}

/// 128-bit keys of items, each key mapped to the last item that had it. A slot keeps the key's
/// top 32 bits and the item's index; when those bits match, the whole key is asked of the caller
/// (it is the item's, which the caller holds), so keys that share the 32 bits are still told
/// apart.
pub(super) struct Repeats(Slots);

impl Repeats {
    /// A table for about `n` keys.
    pub(super) fn with_capacity(n: usize) -> Self {
        Self(Slots::with_capacity(n))
    }

    /// Records that item `item` has `key`: the item that had it last before, if any. `key_of`
    /// gives the key of an earlier item (only asked when 32 bits of it match).
    pub(super) fn last_before(
        &mut self,
        key: u128,
        item: usize,
        key_of: impl Fn(usize) -> u128,
    ) -> Option<usize> {
        let t = &mut self.0;
        t.make_room(|s| key_of((s[1] - 1) as usize) as usize);
        let tag = (key >> 96) as u32;
        // The low bits of a splitmix-finished lane pick the slot; the tag is the other lane's.
        let mut i = key as usize & t.mask;
        loop {
            let [k, v] = t.slots[i];
            if v == 0 {
                t.fill(i, [tag, stored(item)]);
                return None;
            }
            if k == tag && key_of((v - 1) as usize) == key {
                t.slots[i][1] = stored(item);
                return Some((v - 1) as usize);
            }
            i = (i + 1) & t.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn agrees_with_a_hash_map_through_growth_and_collisions() {
        // Keys that share low bits (every probe collides) and keys far beyond the first capacity.
        let mut t = Table::with_capacity(2);
        let mut m: HashMap<u32, usize> = HashMap::new();
        for k in 0..5000u32 {
            let key = (k % 700) << 20 | (k % 3);
            let w = *m.entry(key).or_insert(k as usize);
            assert_eq!(t.get_or_insert(key, k as usize), w, "{key}");
        }
    }

    #[test]
    fn repeats_tell_keys_apart_that_share_the_slot_and_the_tag() {
        // Keys that share their low bits (one probe chain), keys that share the 32-bit tag too
        // (told apart only by the whole key), and more keys than the first capacity.
        let keys: Vec<u128> = (0..3000u128)
            .map(|k| {
                let group = k % 400;
                let tag = if group % 2 == 0 { 7u128 } else { group };
                tag << 96 | group << 40 | (k % 5)
            })
            .collect();
        let mut r = Repeats::with_capacity(3);
        let mut last: HashMap<u128, usize> = HashMap::new();
        for (i, &key) in keys.iter().enumerate() {
            let want = last.insert(key, i);
            assert_eq!(r.last_before(key, i, |j| keys[j]), want, "item {i}");
        }
    }
}
