//! A small open-addressing table for keys that are already hashes (well spread): the occurrence
//! count of each text key and the first item showing each 32-bit prefix. Linear probing, at most
//! half full, no removal: one or two probes per look-up instead of a general hash map's hashing,
//! control bytes and growth checks.

/// A key that is already a hash: its bits pick the slot.
pub(super) trait Spread: Copy + Eq + Default {
    fn spread(self) -> usize;
}

impl Spread for u128 {
    fn spread(self) -> usize {
        // The low bits of a splitmix-finished lane.
        self as usize
    }
}

impl Spread for u32 {
    fn spread(self) -> usize {
        self as usize
    }
}

/// Keys of type `K` to `usize` values.
pub(super) struct Table<K> {
    keys: Vec<K>,
    /// The value plus one; 0 where no key is (so a new table is zeroed memory, which a large
    /// allocation gets from the system without writing it). 32 bits: values are item indices and
    /// occurrence counts of a template (at most 64 MiB), and half the width is half the pages
    /// a load touches at random.
    vals: Vec<u32>,
    mask: usize,
    len: usize,
}

impl<K: Spread> Table<K> {
    /// A table for about `n` keys.
    pub(super) fn with_capacity(n: usize) -> Self {
        let cap = n.saturating_mul(2).next_power_of_two().max(16);
        Self {
            keys: vec![K::default(); cap],
            vals: vec![0; cap],
            mask: cap - 1,
            len: 0,
        }
    }

    /// The slot of `key`, given the value a new key starts with.
    fn slot(&mut self, key: K, default: usize) -> usize {
        if 2 * (self.len + 1) > self.vals.len() {
            self.grow();
        }
        let mut i = key.spread() & self.mask;
        loop {
            if self.vals[i] == 0 {
                self.keys[i] = key;
                self.vals[i] = u32::try_from(default).unwrap_or(u32::MAX - 1) + 1;
                self.len += 1;
                return i;
            }
            if self.keys[i] == key {
                return i;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The value of `key`, inserting `default` when the key is new.
    pub(super) fn get_or_insert(&mut self, key: K, default: usize) -> usize {
        let i = self.slot(key, default);
        (self.vals[i] - 1) as usize
    }

    /// The value of `key` (0 when new), which is then counted one higher.
    pub(super) fn count(&mut self, key: K) -> usize {
        let i = self.slot(key, 0);
        self.vals[i] = self.vals[i].saturating_add(1);
        (self.vals[i] - 2) as usize
    }

    /// Twice the room, every key moved to its new slot.
    fn grow(&mut self) {
        let cap = self.vals.len() * 2;
        let keys = std::mem::replace(&mut self.keys, vec![K::default(); cap]);
        let vals = std::mem::replace(&mut self.vals, vec![0; cap]);
        self.mask = cap - 1;
        for (key, val) in keys.into_iter().zip(vals) {
            if val == 0 {
                continue;
            }
            let mut i = key.spread() & self.mask;
            while self.vals[i] != 0 {
                i = (i + 1) & self.mask;
            }
            self.keys[i] = key;
            self.vals[i] = val;
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
        let mut t: Table<u32> = Table::with_capacity(2);
        let mut m: HashMap<u32, usize> = HashMap::new();
        for k in 0..5000u32 {
            let key = (k % 700) << 20 | (k % 3);
            let w = *m.entry(key).or_insert(k as usize);
            assert_eq!(t.get_or_insert(key, k as usize), w, "{key}");
        }
        let mut c: Table<u128> = Table::with_capacity(10);
        for k in 0..100u128 {
            assert_eq!(c.count(k << 64), 0);
            assert_eq!(c.count(k << 64), 1);
        }
        assert!((0..100u128).all(|k| c.count(k << 64) == 2));
    }
}
