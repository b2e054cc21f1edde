//! Category levels interned as values are read, sorted once at the end.

use super::Column;
use std::collections::HashMap;

/// Category levels in the order first seen, each stored once.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    codes: HashMap<Box<str>, u32>,
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
    /// The code of `field`'s level, adding the level when it is new.
    #[inline]
    pub(crate) fn code(&mut self, field: &[u8]) -> Result<u32, InternError> {
        let text = std::str::from_utf8(field).map_err(|_| InternError::NotUtf8)?;
        if let Some(&code) = self.codes.get(text) {
            return Ok(code);
        }
        let code = u32::try_from(self.codes.len()).map_err(|_| InternError::TooManyLevels)?;
        self.codes.insert(text.into(), code);
        Ok(code)
    }

    /// The code in `into` of each of these levels, indexed by code here; empties this
    /// interner (keeping its capacity, for the next block).
    pub(crate) fn drain_into(&mut self, into: &mut Interner) -> Result<Vec<u32>, InternError> {
        let mut map = vec![0u32; self.codes.len()];
        for (level, code) in self.codes.drain() {
            map[code as usize] = into.code(level.as_bytes())?;
        }
        Ok(map)
    }

    /// The levels, indexed by code.
    pub(crate) fn into_levels(self) -> Vec<String> {
        let mut levels = vec![String::new(); self.codes.len()];
        for (level, code) in self.codes {
            levels[code as usize] = level.into_string();
        }
        levels
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
        codes.shrink_to_fit();
        Column::from_sorted_levels(sorted, codes)
    }
}
