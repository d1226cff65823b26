//! Merge rules, read once from a release schema into one small table per object it describes, so that merging
//! looks a field up in its parent's table instead of looking its whole path up.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::SchemaError;

/// How the release schema says a field is merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Left out of compiled and versioned releases (`omitWhenMerged`): in OCDS 1.1 the release's own `id`, `date`
    /// and `tag`.
    OmitWhenMerged,
    /// The array is one value that each release replaces whole: `wholeListMerge`, or its items are not objects, or
    /// they are objects without an `id`.
    WholeListMerge,
    /// An array of objects, each merged with the object of the same `id` in earlier releases.
    IdentifierMerge,
    /// An object, merged field by field.
    Object,
}

/// A table's position in [`Rules::tables`].
pub(crate) type Table = u32;

/// The empty table, for fields the schema does not describe: they are merged by the shape of their values alone.
pub(crate) const UNDESCRIBED: Table = 0;
const ROOT: Table = 1;

/// A field's rule, with the table of its own fields' rules where it has fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    Omit,
    WholeList,
    Object(Table),
    Identifier(Table),
}

impl Entry {
    fn rule(self) -> Rule {
        match self {
            Self::Omit => Rule::OmitWhenMerged,
            Self::WholeList => Rule::WholeListMerge,
            Self::Object(_) => Rule::Object,
            Self::Identifier(_) => Rule::IdentifierMerge,
        }
    }

    fn table(self) -> Option<Table> {
        match self {
            Self::Object(table) | Self::Identifier(table) => Some(table),
            Self::Omit | Self::WholeList => None,
        }
    }
}

/// Every object the schema describes is one table of its fields that have a rule; a definition used in many
/// places (`Organization`, `Value` …) is one table, shared.
#[derive(Debug)]
pub(crate) struct Rules {
    tables: Vec<RuleTable>,
}

impl Rules {
    pub(crate) fn from_schema(schema: &Value) -> Result<Self, SchemaError> {
        let properties =
            schema.get("properties").ok_or_else(|| SchemaError::MissingProperties { pointer: String::new() })?;
        let mut builder = Builder { schema, tables: vec![Vec::new()], seen: HashMap::new() };
        let root = builder.table(properties, "/properties")?;
        debug_assert_eq!(root, ROOT);
        Ok(Self { tables: builder.tables.into_iter().map(RuleTable::new).collect() })
    }

    pub(crate) fn root(&self) -> Table {
        ROOT
    }

    /// Whether `table` leaves any field out (`omitWhenMerged`): elsewhere a plain value needs no rule.
    #[inline]
    pub(crate) fn omits(&self, table: Table) -> bool {
        self.tables[table as usize].omits
    }

    /// The rule of `field` (whose [`fingerprint`] is `hash`) in `table`.
    #[inline]
    pub(crate) fn get(&self, table: Table, field: &str, hash: u64) -> Option<Entry> {
        self.tables[table as usize].get(field, hash)
    }

    /// The rule of a field named by its dotted path (`contracts.implementation.transactions`), array levels not
    /// counted; `None` for a field merged as a plain value or by the shape of its value.
    pub(crate) fn rule(&self, path: &str) -> Option<Rule> {
        let mut table = ROOT;
        let mut fields = path.split('.').peekable();
        while let Some(field) = fields.next() {
            let entry = self.get(table, field, fingerprint(field))?;
            if fields.peek().is_none() {
                return Some(entry.rule());
            }
            table = entry.table()?;
        }
        None
    }

    /// Every field with a rule, by dotted path, sorted; a definition that contains itself is listed once.
    pub(crate) fn all(&self) -> Vec<(String, Rule)> {
        let mut out = Vec::new();
        let mut open = vec![ROOT];
        self.collect(ROOT, "", &mut open, &mut out);
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    fn collect(&self, table: Table, prefix: &str, open: &mut Vec<Table>, out: &mut Vec<(String, Rule)>) {
        for (_, name, entry) in &self.tables[table as usize].entries {
            let path = if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
            if let Some(inner) = entry.table() {
                if !open.contains(&inner) {
                    open.push(inner);
                    self.collect(inner, &path, open, out);
                    open.pop();
                }
            }
            out.push((path, entry.rule()));
        }
    }
}

/// A small open-addressing hash table: most fields of a release have no rule, and a miss here costs one slot
/// read, where a search by name would compare strings.
#[derive(Debug, Default)]
struct RuleTable {
    entries: Vec<(u64, Box<str>, Entry)>,
    /// A power of two at least twice the entries, so there is always an empty slot; 0 is empty, `n` is entry
    /// `n - 1`.
    slots: Vec<u32>,
    omits: bool,
}

impl RuleTable {
    fn new(entries: Vec<(Box<str>, Entry)>) -> Self {
        let entries: Vec<(u64, Box<str>, Entry)> =
            entries.into_iter().map(|(name, entry)| (fingerprint(&name), name, entry)).collect();
        let mut slots = vec![0; (entries.len() * 2).next_power_of_two().max(2)];
        let mask = slots.len() - 1;
        for (position, (hash, _, _)) in entries.iter().enumerate() {
            let mut slot = *hash as usize & mask;
            while slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = position as u32 + 1;
        }
        let omits = entries.iter().any(|(_, _, entry)| *entry == Entry::Omit);
        Self { entries, slots, omits }
    }

    #[inline]
    fn get(&self, field: &str, hash: u64) -> Option<Entry> {
        if self.entries.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            let position = self.slots[slot].checked_sub(1)? as usize;
            let (entry_hash, name, entry) = &self.entries[position];
            if *entry_hash == hash && same_text(name, field) {
                return Some(*entry);
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// A cheap hash of a field name or `id` (FxHash's mixing over whole words read straight from the text), computed
/// once per key of a release and used for both the rules and the merged tree.
#[inline]
pub(crate) fn fingerprint(text: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(K);
    let bytes = text.as_bytes();
    let len = bytes.len();
    let (word, half) = (|at| word_at(bytes, at), |at| half_at(bytes, at));
    let mut hash = len as u64;
    // Fixed-size reads, the last one overlapping the one before: the length is in the hash already.
    if len >= 8 {
        for at in (0..len - 8).step_by(8) {
            hash = mix(hash, word(at));
        }
        hash = mix(hash, word(len - 8));
    } else if len >= 4 {
        hash = mix(hash, half(0) << 32 | half(len - 4));
    } else if len > 0 {
        hash = mix(hash, u64::from(bytes[0]) << 16 | u64::from(bytes[len / 2]) << 8 | u64::from(bytes[len - 1]));
    }
    // The multiplication leaves the low bits, which pick the slot, the weakest.
    hash ^ (hash >> 29)
}

/// The eight bytes of `bytes` from `at`, as a little-endian word (the caller knows they are there).
#[inline]
pub(crate) fn word_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// The four bytes of `bytes` from `at`, as a little-endian number.
#[inline]
pub(crate) fn half_at(bytes: &[u8], at: usize) -> u64 {
    let mut half = [0; 4];
    half.copy_from_slice(&bytes[at..at + 4]);
    u64::from(u32::from_le_bytes(half))
}

/// Whether two texts are the same, without a call to `memcmp` for the short names and values most fields have.
#[inline]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let len = a.len();
    if len != b.len() {
        return false;
    }
    let (word, half) = (word_at, half_at);
    // Two reads from each, the second overlapping the first where the text is shorter than twice the read.
    match len {
        0 => true,
        1..=3 => a[0] == b[0] && a[len / 2] == b[len / 2] && a[len - 1] == b[len - 1],
        4..=7 => half(a, 0) == half(b, 0) && half(a, len - 4) == half(b, len - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, len - 8) == word(b, len - 8),
        _ => a == b,
    }
}

struct Builder<'s> {
    schema: &'s Value,
    tables: Vec<Vec<(Box<str>, Entry)>>,
    /// Tables by the address of the `properties` object they were read from, so a shared definition is read once
    /// and a definition that contains itself ends instead of recursing for ever.
    seen: HashMap<*const Map<String, Value>, Table>,
}

impl<'s> Builder<'s> {
    fn table(&mut self, properties: &'s Value, pointer: &str) -> Result<Table, SchemaError> {
        let properties = self.resolve(properties)?;
        let Some(fields) = properties.as_object() else {
            return Err(SchemaError::MissingProperties { pointer: pointer.to_owned() });
        };
        if let Some(&table) = self.seen.get(&(fields as *const _)) {
            return Ok(table);
        }
        let table = self.tables.len() as Table;
        self.tables.push(Vec::new());
        self.seen.insert(fields as *const _, table);

        let mut entries: Vec<(Box<str>, Entry)> = Vec::new();
        for (name, field) in fields {
            let field = self.resolve(field)?;
            if let Some(entry) = self.entry(field, &format!("{pointer}/{}", escape(name)))? {
                entries.push((Box::from(name.as_str()), entry));
            }
        }
        self.tables[table as usize] = entries;
        Ok(table)
    }

    /// The rule of one field, by the order of precedence the standard gives: `omitWhenMerged` over everything,
    /// `wholeListMerge` over the rules of the array's items, then objects and arrays of objects by their fields.
    fn entry(&mut self, field: &'s Value, pointer: &str) -> Result<Option<Entry>, SchemaError> {
        let is_array = has_type(field, "array");
        if field.get("omitWhenMerged") == Some(&Value::Bool(true)) || merge_strategy(field) == Some("ocdsOmit") {
            return Ok(Some(Entry::Omit));
        }
        if is_array
            && (field.get("wholeListMerge") == Some(&Value::Bool(true)) || merge_strategy(field) == Some("ocdsVersion"))
        {
            return Ok(Some(Entry::WholeList));
        }
        if has_type(field, "object") {
            if let Some(properties) = field.get("properties") {
                return Ok(Some(Entry::Object(self.table(properties, &format!("{pointer}/properties"))?)));
            }
        }
        let Some(items) = field.get("items").filter(|_| is_array) else { return Ok(None) };
        let items = self.resolve(items)?;
        if types(items).any(|item_type| item_type != "object") {
            return Ok(Some(Entry::WholeList));
        }
        match items.get("properties").filter(|_| has_type(items, "object")) {
            None => Ok(None),
            Some(properties) if self.resolve(properties)?.get("id").is_none() => Ok(Some(Entry::WholeList)),
            Some(properties) => {
                Ok(Some(Entry::Identifier(self.table(properties, &format!("{pointer}/items/properties"))?)))
            }
        }
    }

    /// Follows `$ref`s within the schema. Like JSON Schema draft 4 (and ocdsmerge), a `$ref` stands for its target
    /// alone: fields beside it (`title`, `deprecated` …) do not count.
    fn resolve(&self, mut value: &'s Value) -> Result<&'s Value, SchemaError> {
        const MAX_HOPS: usize = 64;
        for _ in 0..MAX_HOPS {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else { return Ok(value) };
            let Some(pointer) = reference.strip_prefix('#') else {
                return Err(SchemaError::ExternalRef { reference: reference.to_owned() });
            };
            value = self
                .schema
                .pointer(pointer)
                .ok_or_else(|| SchemaError::UnresolvedRef { reference: reference.to_owned() })?;
        }
        let reference = value.get("$ref").and_then(Value::as_str).unwrap_or_default().to_owned();
        Err(SchemaError::RefLoop { reference })
    }
}

fn merge_strategy(field: &Value) -> Option<&str> {
    field.get("mergeStrategy").and_then(Value::as_str)
}

/// A field's `type`, a string or a list of them (`["array", "null"]`).
fn types(field: &Value) -> impl Iterator<Item = &str> {
    let (one, many) = match field.get("type") {
        Some(Value::String(one)) => (Some(one.as_str()), None),
        Some(Value::Array(many)) => (None, Some(many.iter().filter_map(Value::as_str))),
        _ => (None, None),
    };
    one.into_iter().chain(many.into_iter().flatten())
}

fn has_type(field: &Value, wanted: &str) -> bool {
    types(field).any(|t| t == wanted)
}

/// A JSON pointer segment: `~` and `/` escaped.
pub(crate) fn escape(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1").into()
    } else {
        segment.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte of every length is compared, whichever reads cover it.
    #[test]
    fn same_text_sees_every_byte() {
        for len in 0..40 {
            let text: String = (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(same_text(&text, &text.clone()));
            assert!(!same_text(&text, &format!("{text}x")));
            for at in 0..len {
                let mut other = text.clone().into_bytes();
                other[at] = b'Z';
                let other = String::from_utf8(other).expect("ASCII");
                assert!(!same_text(&text, &other), "length {len}, byte {at}");
                assert_ne!(fingerprint(&text), fingerprint(&other), "length {len}, byte {at}");
            }
        }
    }
}
