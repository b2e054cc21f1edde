//! Category levels interned as values are read, sorted once at the end.

use super::Column;
use std::collections::HashMap;

/// Category levels in the order first seen, each stored once.
///
/// A column of a few levels (most categoricals) is searched in a short list, cheaper than
/// hashing every field; past [`Interner::SHORT`] levels they move to a hash map. A field is
/// checked to be UTF-8 only when it is a new level: one equal to a known level is.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// The levels by code, while there are few.
    short: Vec<Box<[u8]>>,
    /// The key of each level in `short`, compared in place of its bytes.
    keys: KeyIndex,
    /// The levels and their codes, once there are many (`short` is then empty).
    codes: HashMap<Box<[u8]>, u32, foldhash::fast::RandomState>,
}

/// A level of up to [`Key::MAX`] bytes as its length and two words that hold every byte of
/// it: two such levels are equal exactly when their keys are. A field is compared with a few
/// levels (or missing tokens) by a few integer compares, not a `memcmp` per level (most levels
/// of a column have the same length, so a length alone rarely tells them apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    len: usize,
    head: u64,
    tail: u64,
}

/// `PADDING[n]` keeps the first `n` of sixteen bytes, as two words.
static PADDING: [[u64; 2]; Key::MAX + 1] = {
    let mut masks = [[0; 2]; Key::MAX + 1];
    let mut n = 0;
    while n <= Key::MAX {
        let mut byte = 0;
        while byte < n {
            masks[n][byte / 8] |= 0xff << (8 * (byte % 8));
            byte += 1;
        }
        n += 1;
    }
    masks
};

impl Key {
    pub(crate) const MAX: usize = 16;

    /// The key of `bytes`; past [`Key::MAX`] bytes only its length, and such text is compared
    /// by its bytes.
    #[inline]
    pub(crate) fn of(bytes: &[u8]) -> Key {
        let len = bytes.len();
        let mut padded = [0; 16];
        if let Some(prefix) = padded.get_mut(..len) {
            prefix.copy_from_slice(bytes);
        }
        Key::padded(len, &padded)
    }

    /// The key of `text[start..end]`, as [`Key::of`] makes it, read without a copy when
    /// sixteen bytes follow `start`: a field's key, made before it is known to be a level.
    #[inline]
    pub(crate) fn within(text: &[u8], start: usize, end: usize) -> Key {
        let len = end.saturating_sub(start);
        match text.get(start..).and_then(<[u8]>::first_chunk) {
            Some(window) if len <= Self::MAX => Key::padded(len, window),
            _ => Key::of(text.get(start..end).unwrap_or_default()),
        }
    }

    /// The key of the first `len` bytes of `window` (the rest ignored), or of `len` alone.
    #[inline(always)]
    fn padded(len: usize, window: &[u8; 16]) -> Key {
        if len > Self::MAX {
            return Key {
                len,
                head: 0,
                tail: 0,
            };
        }
        // The bytes past `len` are zeroed without a branch on the length.
        let [head, tail] = PADDING[len.min(Self::MAX)];
        let word = |at: usize| u64::from_le_bytes(window[at..at + 8].try_into().expect("8"));
        Key {
            len,
            head: word(0) & head,
            tail: word(8) & tail,
        }
    }

    /// A slot of [`KeyIndex`]: a multiplicative hash of the key's words.
    #[inline]
    fn slot(&self) -> usize {
        let mixed = self.head ^ self.tail.rotate_left(29) ^ self.len as u64;
        (mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - KeyIndex::SLOT_BITS)) as usize
    }
}

/// Keys in the order added, found by a hash: slot [`Key::slot`] holds the index (plus one) of
/// the first key that hashed there, so a key is found with one compare. Searched in a list
/// instead, a field stopped at its level, a place the data chooses, and the search was
/// mispredicted about once a field; a field that is no missing token compared with each. A
/// key whose slot was taken is found by the list, as is every key once one was.
#[derive(Debug, Clone)]
pub(crate) struct KeyIndex {
    keys: Vec<Key>,
    slots: [u8; 1 << KeyIndex::SLOT_BITS],
    /// Some key is only in the list.
    crowded: bool,
}

impl Default for KeyIndex {
    fn default() -> Self {
        KeyIndex {
            keys: Vec::new(),
            slots: [0; 1 << Self::SLOT_BITS],
            crowded: false,
        }
    }
}

impl KeyIndex {
    const SLOT_BITS: u32 = 6;

    pub(crate) fn push(&mut self, key: Key) {
        let slot = key.slot();
        match (self.slots[slot], u8::try_from(self.keys.len() + 1)) {
            (0, Ok(index)) => self.slots[slot] = index,
            // The same key again (a missing token listed twice) is found at the first.
            (at, _) if at != 0 && self.keys[usize::from(at) - 1] == key => {}
            _ => self.crowded = true,
        }
        self.keys.push(key);
    }

    /// The index of `key`, if it was added.
    #[inline]
    pub(crate) fn find(&self, key: &Key) -> Option<usize> {
        let at = usize::from(self.slots[key.slot()]);
        if at != 0 && self.keys[at - 1] == *key {
            Some(at - 1)
        } else if self.crowded {
            self.keys.iter().position(|k| k == key)
        } else {
            None
        }
    }

    /// Whether some key shares its slot with another (and is found by the list).
    #[cfg(test)]
    pub(crate) fn is_crowded(&self) -> bool {
        self.crowded
    }

    /// Empties the index, keeping the list's capacity.
    fn clear(&mut self) {
        self.keys.clear();
        self.slots = [0; 1 << Self::SLOT_BITS];
        self.crowded = false;
    }
}

/// Why a text field has no code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InternError {
    /// The field is not UTF-8.
    NotUtf8,
    /// More distinct values in one column than a `u32` code tells apart.
    TooManyLevels,
}

impl Interner {
    /// Levels searched in a list before a hash map pays.
    const SHORT: usize = 16;

    fn len(&self) -> usize {
        self.short.len() + self.codes.len()
    }

    /// The code of the level whose key is `key`, if it is one of a few known levels; `None`
    /// leaves the field to [`Interner::code`] (and so does a key of a field too long to be
    /// told by its key).
    #[inline]
    pub(crate) fn known(&self, key: &Key) -> Option<u32> {
        if self.codes.is_empty() && key.len <= Key::MAX {
            self.keys.find(key).map(|code| code as u32)
        } else {
            None
        }
    }

    /// The code of `field`'s level, adding the level when it is new.
    #[inline]
    pub(crate) fn code(&mut self, field: &[u8]) -> Result<u32, InternError> {
        if self.codes.is_empty() {
            let found = if field.len() <= Key::MAX {
                self.keys.find(&Key::of(field))
            } else {
                self.short.iter().position(|l| **l == *field)
            };
            if let Some(code) = found {
                return Ok(code as u32);
            }
        } else if let Some(&code) = self.codes.get(field) {
            return Ok(code);
        }
        std::str::from_utf8(field).map_err(|_| InternError::NotUtf8)?;
        let code = u32::try_from(self.len()).map_err(|_| InternError::TooManyLevels)?;
        if self.codes.is_empty() && self.short.len() < Self::SHORT {
            self.short.push(field.into());
            self.keys.push(Key::of(field));
        } else {
            if !self.short.is_empty() {
                self.keys.clear();
                self.codes = self.short.drain(..).zip(0..).collect();
            }
            self.codes.insert(field.into(), code);
        }
        Ok(code)
    }

    /// The levels, indexed by code; empties this interner (keeping its capacity).
    fn take_levels(&mut self) -> Vec<Box<[u8]>> {
        if self.codes.is_empty() {
            self.keys.clear();
            return self.short.drain(..).collect();
        }
        let mut levels = vec![Box::default(); self.codes.len()];
        for (level, code) in self.codes.drain() {
            levels[code as usize] = level;
        }
        levels
    }

    /// The code in `into` of each of these levels, indexed by code here; empties this
    /// interner (keeping its capacity, for the next block).
    pub(crate) fn drain_into(&mut self, into: &mut Interner) -> Result<Vec<u32>, InternError> {
        self.take_levels()
            .iter()
            .map(|level| into.code(level))
            .collect()
    }

    /// The levels, indexed by code.
    pub(crate) fn into_levels(mut self) -> Vec<String> {
        self.take_levels()
            .into_iter()
            .map(|level| {
                // Every level was checked to be UTF-8 when it was added.
                String::from_utf8(level.into_vec())
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
            })
            .collect()
    }
}

impl Interner {
    /// The column of these levels, sorted as [`Column::categorical`] sorts them, and per row
    /// a code from [`code`](Self::code).
    pub(crate) fn into_column(self, mut codes: Vec<Option<u32>>) -> Column {
        let levels = self.into_levels();
        let mut order: Vec<u32> = (0..levels.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| levels[a as usize].cmp(&levels[b as usize]));
        let mut rank = vec![0u32; levels.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        let mut sorted = vec![String::new(); levels.len()];
        for (old, level) in levels.into_iter().enumerate() {
            sorted[rank[old] as usize] = level;
        }
        for c in codes.iter_mut().flatten() {
            *c = rank[*c as usize];
        }
        Column::from_sorted_levels(sorted, codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A key is found at the first place it was added, as a search of the list finds it,
        /// and a key never added is not: with few keys (each in its slot, or two in one) and
        /// with more than the slots hold.
        #[test]
        fn an_index_finds_keys_as_a_search_of_the_list_does(
            added in proptest::collection::vec(proptest::collection::vec(b'a'..b'e', 0..=18), 0..80),
            looked_up in proptest::collection::vec(proptest::collection::vec(b'a'..b'e', 0..=18), 0..20),
        ) {
            let mut index = KeyIndex::default();
            let keys: Vec<Key> = added.iter().map(|a| Key::of(a)).collect();
            for &key in &keys {
                index.push(key);
            }
            for level in added.iter().chain(&looked_up) {
                let key = Key::of(level);
                prop_assert_eq!(index.find(&key), keys.iter().position(|k| *k == key));
            }
        }

        /// Over a small alphabet, and `b` most often `a` with one byte changed (or none), so
        /// that equal and nearly equal levels are common.
        #[test]
        fn keys_are_equal_exactly_when_the_levels_are(
            a in proptest::collection::vec(b'a'..b'd', 0..=18),
            other in proptest::collection::vec(b'a'..b'd', 0..=18),
            change in proptest::option::of((any::<proptest::sample::Index>(), b'a'..b'd')),
            independent in proptest::bool::weighted(0.2),
        ) {
            let b = match change {
                _ if independent => other,
                Some((at, byte)) if !a.is_empty() => {
                    let mut b = a.clone();
                    b[at.index(a.len())] = byte;
                    b
                }
                _ => a.clone(),
            };
            let mut interner = Interner::default();
            let (code_a, code_b) = (interner.code(&a).unwrap(), interner.code(&b).unwrap());
            prop_assert_eq!(code_a == code_b, a == b);
            if a.len() <= Key::MAX && b.len() <= Key::MAX {
                prop_assert_eq!(Key::of(&a) == Key::of(&b), a == b);
            }
        }

        /// A field's key read in place, whatever follows it, is the key of its bytes; and
        /// a field is known by its key exactly when it is one of a few levels and short
        /// enough for a key to tell it (a longer one is never taken for a level of its
        /// length).
        #[test]
        fn a_field_is_known_by_its_key_only_when_it_is_a_level(
            levels in proptest::collection::vec("[ab]{0,20}", 0..24),
            field in "[ab]{0,20}",
            after in "[ab,]{0,20}",
        ) {
            let mut interner = Interner::default();
            for level in &levels {
                interner.code(level.as_bytes()).unwrap();
            }
            let text = format!("{field}{after}");
            let key = Key::within(text.as_bytes(), 0, field.len());
            prop_assert_eq!(key, Key::of(field.as_bytes()));
            let short = interner.codes.is_empty();
            let expected = (short && field.len() <= Key::MAX)
                .then(|| interner.short.iter().position(|l| **l == *field.as_bytes()))
                .flatten()
                .map(|code| code as u32);
            prop_assert_eq!(interner.known(&key), expected);
        }
    }

    #[test]
    fn codes_stay_the_same_when_the_levels_move_to_the_map() {
        let mut interner = Interner::default();
        let names: Vec<String> = (0..40).map(|i| format!("level{i}")).collect();
        let first: Vec<u32> = names
            .iter()
            .map(|n| interner.code(n.as_bytes()).unwrap())
            .collect();
        assert_eq!(first, (0..40).collect::<Vec<u32>>());
        let again: Vec<u32> = names
            .iter()
            .rev()
            .map(|n| interner.code(n.as_bytes()).unwrap())
            .collect();
        assert_eq!(again, (0..40).rev().collect::<Vec<u32>>());
        assert_eq!(interner.into_levels(), names);
    }

    #[test]
    fn a_new_level_must_be_utf8_and_a_drained_interner_maps_codes() {
        let mut a = Interner::default();
        assert_eq!(a.code(b"\xff"), Err(InternError::NotUtf8));
        a.code(b"x").unwrap();
        let mut b = Interner::default();
        b.code(b"y").unwrap();
        b.code(b"x").unwrap();
        assert_eq!(b.drain_into(&mut a).unwrap(), vec![1, 0]);
        assert_eq!(a.into_levels(), vec!["x", "y"]);
        assert_eq!(b.into_levels(), Vec::<String>::new());
    }
}
