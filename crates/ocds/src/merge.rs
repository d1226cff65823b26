//! The versioned release, and what both merges share: the checks on the releases, how a value is merged by its
//! shape, and the path of a conflict. Each release is walked once, in date order, into a tree shaped like the
//! result whose leaves borrow the releases' values; the result is built from the tree at the end, so each value is
//! copied once however many releases repeat it. (The compiled release has a faster tree of its own, in
//! `compiled.rs`; this walk, with leaves that keep the last value, is the plain merge its tests compare it with.)
//!
//! The outcome is the one of the standard's flatten-and-merge description (and of ocdsmerge, its reference
//! implementation): a field's value is the last one given, `null` removes it, an empty object or array changes
//! nothing, an array of objects is merged by `id` and any other array is replaced whole.

use std::borrow::{Borrow, Cow};
use std::cell::OnceCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde_json::{Map, Value};

use crate::rules::{escape, fingerprint, same_text, Entry, Rules, Table, UNDESCRIBED};
use crate::MergeError;

/// Objects and arrays with more entries than this are looked up through a hash map rather than by a scan.
pub(crate) const SCAN_LIMIT: usize = 12;

/// A release known to have what merging needs.
pub(crate) struct Release<'a> {
    pub(crate) fields: &'a Map<String, Value>,
    pub(crate) date: &'a str,
    /// What every version this release gave has in common, made when first needed: cloning it is cheaper than
    /// building each version's map anew.
    version: OnceCell<Map<String, Value>>,
}

impl Release<'_> {
    fn version(&self, value: Value) -> Value {
        let mut version = self
            .version
            .get_or_init(|| {
                let mut version = Map::new();
                version.insert("releaseID".into(), self.fields.get("id").cloned().unwrap_or(Value::Null));
                version.insert("releaseDate".into(), Value::String(self.date.into()));
                version.insert("releaseTag".into(), self.fields.get("tag").cloned().unwrap_or(Value::Null));
                version.insert("value".into(), Value::Null);
                version
            })
            .clone();
        if let Some(slot) = version.get_mut("value") {
            *slot = value;
        }
        Value::Object(version)
    }
}

pub(crate) fn versioned<R: Borrow<Value>>(rules: &Rules, releases: &[R]) -> Result<Value, MergeError> {
    let (releases, ocid) = check(releases)?;
    let (root, _) = merge::<History>(rules, &releases)?;
    let mut pairs = Vec::with_capacity(1 + root.entries.len());
    pairs.push(("ocid".to_owned(), Value::String(ocid.into())));
    pairs.extend(entries(&root, &releases));
    Ok(Value::Object(pairs.into_iter().collect()))
}

/// The releases with their `ocid` checked and their `date` read, and the `ocid` they share.
pub(crate) fn check<R: Borrow<Value>>(releases: &[R]) -> Result<(Vec<Release<'_>>, &str), MergeError> {
    let mut checked = Vec::with_capacity(releases.len());
    let mut first_ocid = None;
    for (index, release) in releases.iter().enumerate() {
        let fields = release.borrow().as_object().ok_or(MergeError::NotAnObject { index })?;
        let ocid = fields.get("ocid").and_then(Value::as_str).ok_or(MergeError::MissingOcid { index })?;
        let date = fields.get("date").and_then(Value::as_str).ok_or(MergeError::MissingDate { index })?;
        match first_ocid {
            None => first_ocid = Some(ocid),
            Some(expected) if expected != ocid => {
                return Err(MergeError::OcidMismatch { index, expected: expected.into(), found: ocid.into() });
            }
            Some(_) => {}
        }
        checked.push(Release { fields, date, version: OnceCell::new() });
    }
    let ocid = first_ocid.ok_or(MergeError::NoReleases)?;
    Ok((checked, ocid))
}

/// The order the releases merge in: by `date`, compared as text like ocdsmerge does; releases of the same date in
/// the order given.
pub(crate) fn date_order(releases: &[Release<'_>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..releases.len()).collect();
    order.sort_by_key(|&i| releases[i].date);
    order
}

/// Merges the releases oldest first and says which came last.
fn merge<'a, L: Leaf<'a>>(rules: &Rules, releases: &[Release<'a>]) -> Result<(Object<'a, L>, usize), MergeError> {
    let order = date_order(releases);
    let mut root = Keyed::with_capacity(releases.first().map_or(0, |release| release.fields.len()));
    for &index in &order {
        let walk = Walk { rules, release: index as u32 };
        merge_fields(&mut root, releases[index].fields, rules.root(), &walk, Own::Release)
            .map_err(|conflict| MergeError::InconsistentType { index, path: conflict.path() })?;
    }
    Ok((root, order.last().copied().unwrap_or_default()))
}

/// What every step of one release's walk needs.
struct Walk<'r> {
    rules: &'r Rules,
    release: u32,
}

/// What a leaf of the tree keeps: every change (versioned release), or the last value (the plain compiled
/// release the tests compare `compiled.rs` with).
trait Leaf<'a>: Sized {
    fn new(release: u32, value: &'a Value) -> Self;
    fn update(&mut self, release: u32, value: &'a Value);
    /// A leaf that is `null` makes way for an object or array a later release puts in its place.
    fn is_null(&self) -> bool;
    fn output(&self, releases: &[Release<'a>]) -> Option<Value>;
}

/// The values a field took, each with the release that gave it.
struct History<'a>(Vec<(u32, &'a Value)>);

impl<'a> Leaf<'a> for History<'a> {
    fn new(release: u32, value: &'a Value) -> Self {
        Self(vec![(release, value)])
    }

    /// A value is added only when it differs from the one before. Within one release the last value given
    /// (objects of the same `id`) stands for the release.
    fn update(&mut self, release: u32, value: &'a Value) {
        if self.0.last().is_some_and(|&(last, _)| last == release) {
            self.0.pop();
        }
        if !self.0.last().is_some_and(|&(_, last)| same(last, value)) {
            self.0.push((release, value));
        }
    }

    /// Only ever `null`: a field whose history has a value keeps its shape.
    fn is_null(&self) -> bool {
        self.0.iter().all(|(_, value)| value.is_null())
    }

    fn output(&self, releases: &[Release<'a>]) -> Option<Value> {
        let versions = self.0.iter().map(|&(index, value)| releases[index as usize].version(value.clone()));
        Some(Value::Array(versions.collect()))
    }
}

/// Equal as values: `1` and `1.0` are the same number, as they are to ocdsmerge, so a versioned release does not
/// record a change between them.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => same_text(x, y),
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(key, x)| y.get(key).is_some_and(|y| same(x, y)))
        }
        _ => a == b,
    }
}

type Object<'a, L> = Keyed<Field<'a, L>>;
type Array<'a, L> = Keyed<Item<'a, L>>;

enum Node<'a, L> {
    Leaf(L),
    Object(Object<'a, L>),
    Array(Array<'a, L>),
}

impl<'a, L: Leaf<'a>> Node<'a, L> {
    fn output(&self, releases: &[Release<'a>]) -> Option<Value> {
        match self {
            Self::Leaf(leaf) => leaf.output(releases),
            Self::Object(fields) => Some(object(None, fields, releases)),
            Self::Array(items) => {
                Some(Value::Array(items.entries.iter().map(|item| object(item.id, &item.fields, releases)).collect()))
            }
        }
    }
}

/// An object of the result, built from its fields (from an iterator, which lets `serde_json::Map` build in bulk).
fn object<'a, L: Leaf<'a>>(id: Option<&'a Value>, fields: &Object<'a, L>, releases: &[Release<'a>]) -> Value {
    // Sized up front: the map collects into a vector first, which would otherwise grow step by step.
    let mut pairs = Vec::with_capacity(fields.entries.len() + usize::from(id.is_some()));
    pairs.extend(id.map(|id| ("id".to_owned(), id.clone())));
    pairs.extend(entries(fields, releases));
    Value::Object(pairs.into_iter().collect())
}

fn entries<'t, 'a: 't, L: Leaf<'a>>(
    fields: &'t Object<'a, L>,
    releases: &'t [Release<'a>],
) -> impl Iterator<Item = (String, Value)> + use<'t, 'a, L> {
    fields.entries.iter().filter_map(|field| Some((field.name.to_owned(), field.node.output(releases)?)))
}

/// A field of an object in the tree.
struct Field<'a, L> {
    hash: u64,
    name: &'a str,
    node: Node<'a, L>,
}

/// An object of an array merged by identifier.
struct Item<'a, L> {
    hash: u64,
    /// What the object is merged by; `None` for an object without an `id`, which is never merged with another.
    key: Option<Cow<'a, str>>,
    /// The `id` as the release that brought the object first gave it.
    id: Option<&'a Value>,
    fields: Object<'a, L>,
}

/// What a [`Keyed`] list finds its entries by.
trait Key {
    fn hash(&self) -> u64;
    fn key(&self) -> Option<&str>;
}

impl<L> Key for Field<'_, L> {
    fn hash(&self) -> u64 {
        self.hash
    }

    fn key(&self) -> Option<&str> {
        Some(self.name)
    }
}

impl<L> Key for Item<'_, L> {
    fn hash(&self) -> u64 {
        self.hash
    }

    fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }
}

/// Entries in the order they first appeared, found by a scan of their fingerprints while there are few, and
/// through a map from fingerprint to position once there are many.
struct Keyed<T> {
    entries: Vec<T>,
    // Boxed: a map is six words, and all but a few nodes are small enough never to need one.
    #[allow(clippy::box_collection)]
    index: Option<Box<Index>>,
}

/// Positions by the fingerprint of their key; two keys of one fingerprint keep the first's position.
pub(crate) type Index = HashMap<u64, u32, BuildHasherDefault<Prehashed>>;

impl<T: Key> Keyed<T> {
    fn with_capacity(capacity: usize) -> Self {
        Self { entries: Vec::with_capacity(capacity), index: None }
    }

    #[inline]
    fn find(&self, hash: u64, key: &str) -> Option<usize> {
        if let Some(index) = &self.index {
            let &position = index.get(&hash)?;
            if self.entries[position as usize].key().is_some_and(|found| same_text(found, key)) {
                return Some(position as usize);
            }
            // Two keys with one fingerprint: the index holds the first, so look at the others.
        }
        self.entries.iter().position(|entry| entry.hash() == hash && entry.key().is_some_and(|k| same_text(k, key)))
    }

    fn push(&mut self, entry: T) -> usize {
        let position = self.entries.len();
        if entry.key().is_some() {
            match &mut self.index {
                Some(index) => {
                    index.entry(entry.hash()).or_insert(position as u32);
                }
                None if position >= SCAN_LIMIT => {
                    let mut index = Index::default();
                    for (i, earlier) in self.entries.iter().enumerate().filter(|(_, e)| e.key().is_some()) {
                        index.entry(earlier.hash()).or_insert(i as u32);
                    }
                    index.entry(entry.hash()).or_insert(position as u32);
                    self.index = Some(Box::new(index));
                }
                None => {}
            }
        }
        self.entries.push(entry);
        position
    }
}

/// The fingerprints are hashes already.
#[derive(Default)]
pub(crate) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

/// How a value is merged, by its shape where the schema does not decide.
pub(crate) enum Shape<'a> {
    /// Nothing to merge: an empty object, or an empty array not merged whole.
    Nothing,
    /// A value that replaces the previous one whole.
    Value,
    Container(Container<'a>),
}

/// An object, or an array whose items are all objects.
#[derive(Clone, Copy)]
pub(crate) enum Container<'a> {
    Object(&'a Map<String, Value>),
    Array(&'a [Value]),
}

impl<'a> Shape<'a> {
    /// The shape of a field's value, given the field's rule (`None` where the schema gives none).
    #[inline]
    pub(crate) fn of(value: &'a Value, rule: Option<Entry>) -> Self {
        match value {
            _ if rule == Some(Entry::WholeList) => Self::Value,
            Value::Object(fields) if fields.is_empty() => Self::Nothing,
            Value::Object(fields) => Self::Container(Container::Object(fields)),
            Value::Array(items) if items.iter().any(|item| !item.is_object()) => Self::Value,
            Value::Array(items) if items.is_empty() => Self::Nothing,
            Value::Array(items) => Self::Container(Container::Array(items)),
            _ => Self::Value,
        }
    }
}

impl<'a> Container<'a> {
    fn empty<L>(self) -> Node<'a, L> {
        match self {
            Self::Object(fields) => Node::Object(Keyed::with_capacity(fields.len())),
            Self::Array(items) => Node::Array(Keyed::with_capacity(items.len())),
        }
    }
}

/// The table of a field's own fields' rules.
#[inline]
pub(crate) fn inner(rule: Option<Entry>) -> Table {
    match rule {
        Some(Entry::Object(table) | Entry::Identifier(table)) => table,
        _ => UNDESCRIBED,
    }
}

/// Where a release gives a field another shape than an earlier one did; the path is gathered on the way out.
/// Boxed, so that a merge's result is two words and comes back in registers however deep the merge recurses.
#[derive(Default)]
#[allow(clippy::box_collection)]
pub(crate) struct Conflict(Box<Vec<String>>);

impl Conflict {
    pub(crate) fn within(mut self, segment: impl Into<String>) -> Self {
        self.0.push(segment.into());
        self
    }

    pub(crate) fn path(&self) -> String {
        self.0.iter().rev().fold(String::new(), |path, segment| path + "/" + &escape(segment))
    }
}

/// Fields of an object that the merge sets itself rather than merging.
#[derive(Clone, Copy)]
pub(crate) enum Own {
    None,
    /// The `id` of an object in an array is what it is merged by, not one of its merged fields.
    Id,
    /// A release's `ocid`, `id`, `date` and `tag` make the compiled release's frame or the versions' metadata.
    Release,
}

impl Own {
    #[inline]
    pub(crate) fn skips(self, name: &str) -> bool {
        match self {
            Self::None => false,
            Self::Id => name == "id",
            Self::Release => matches!(name, "ocid" | "id" | "date" | "tag"),
        }
    }
}

/// Merges one release's object into the tree; says whether it put anything there (a new object that receives
/// nothing, such as `{"budget": {}}`, is not added).
fn merge_fields<'a, L: Leaf<'a>>(
    fields: &mut Object<'a, L>,
    object: &'a Map<String, Value>,
    table: Table,
    walk: &Walk<'_>,
    own: Own,
) -> Result<bool, Conflict> {
    let mut merged = false;
    for (name, field) in object {
        let name = name.as_str();
        if own.skips(name) {
            continue;
        }
        let hash = fingerprint(name);
        let rule = walk.rules.get(table, name, hash);
        if rule == Some(Entry::Omit) {
            continue;
        }
        match Shape::of(field, rule) {
            Shape::Nothing => {}
            Shape::Value => {
                merged = true;
                match fields.find(hash, name).map(|i| &mut fields.entries[i].node) {
                    None => {
                        fields.push(Field { hash, name, node: Node::Leaf(L::new(walk.release, field)) });
                    }
                    Some(Node::Leaf(leaf)) => leaf.update(walk.release, field),
                    // `null` has no shape: the object or array stays, as with ocdsmerge.
                    Some(_) if field.is_null() => {}
                    Some(_) => return Err(Conflict::default().within(name)),
                }
            }
            Shape::Container(container) => {
                let result = match fields.find(hash, name) {
                    Some(i) => merge_container(&mut fields.entries[i].node, container, inner(rule), walk),
                    None => new_field(fields, hash, name, container, inner(rule), walk),
                };
                merged |= result.map_err(|conflict| conflict.within(name))?;
            }
        }
    }
    Ok(merged)
}

/// A field that is an object or array for the first time, built from this release.
fn new_field<'a, L: Leaf<'a>>(
    fields: &mut Object<'a, L>,
    hash: u64,
    name: &'a str,
    container: Container<'a>,
    table: Table,
    walk: &Walk<'_>,
) -> Result<bool, Conflict> {
    let mut node = container.empty();
    let merged = merge_container(&mut node, container, table, walk)?;
    if merged {
        fields.push(Field { hash, name, node });
    }
    Ok(merged)
}

fn merge_container<'a, L: Leaf<'a>>(
    node: &mut Node<'a, L>,
    container: Container<'a>,
    table: Table,
    walk: &Walk<'_>,
) -> Result<bool, Conflict> {
    match (node, container) {
        (Node::Object(fields), Container::Object(object)) => merge_fields(fields, object, table, walk, Own::None),
        (Node::Array(items), Container::Array(array)) => merge_items(items, array, table, walk),
        (node @ Node::Leaf(_), _) => {
            if !matches!(node, Node::Leaf(leaf) if leaf.is_null()) {
                return Err(Conflict::default());
            }
            let mut fresh = container.empty();
            let merged = merge_container(&mut fresh, container, table, walk)?;
            if merged {
                *node = fresh;
            }
            Ok(merged)
        }
        _ => Err(Conflict::default()),
    }
}

/// The identifier merge: an object joins the earlier object of the same `id`, or is added at the end.
fn merge_items<'a, L: Leaf<'a>>(
    items: &mut Array<'a, L>,
    array: &'a [Value],
    table: Table,
    walk: &Walk<'_>,
) -> Result<bool, Conflict> {
    let mut merged = false;
    for (position, element) in array.iter().enumerate() {
        let Some(object) = element.as_object() else { continue };
        match object.get("id").filter(|id| !id.is_null()) {
            Some(id) => {
                let key = id_key(id);
                let hash = fingerprint(&key);
                let at = match items.find(hash, &key) {
                    Some(at) => at,
                    None => {
                        let fields = Keyed::with_capacity(object.len());
                        items.push(Item { hash, key: Some(key.clone()), id: Some(id), fields })
                    }
                };
                merge_fields(&mut items.entries[at].fields, object, table, walk, Own::Id)
                    .map_err(|conflict| conflict.within(key.into_owned()))?;
                merged = true;
            }
            // Without an `id`, an object is new in every release (ocdsmerge gives it a fresh UUID).
            None => {
                let mut fields = Keyed::with_capacity(object.len());
                let added = merge_fields(&mut fields, object, table, walk, Own::Id)
                    .map_err(|conflict| conflict.within(position.to_string()))?;
                if added {
                    items.push(Item { hash: 0, key: None, id: None, fields });
                }
                merged |= added;
            }
        }
    }
    Ok(merged)
}

/// What objects are merged by: the `id` as text, so `1` and `"1"` name the same object.
pub(crate) fn id_key(id: &Value) -> Cow<'_, str> {
    match id {
        Value::String(text) => Cow::Borrowed(text),
        other => Cow::Owned(other.to_string()),
    }
}

/// The compiled release by the plain merge, built as a `Value`: what `compiled.rs` must give, reached another way.
#[cfg(test)]
pub(crate) mod plain {
    use super::*;

    /// The last value given.
    struct Latest<'a>(&'a Value);

    impl<'a> Leaf<'a> for Latest<'a> {
        fn new(_: u32, value: &'a Value) -> Self {
            Self(value)
        }

        fn update(&mut self, _: u32, value: &'a Value) {
            self.0 = value;
        }

        fn is_null(&self) -> bool {
            self.0.is_null()
        }

        /// `null` removes the field from the compiled release.
        fn output(&self, _: &[Release<'a>]) -> Option<Value> {
            (!self.0.is_null()).then(|| self.0.clone())
        }
    }

    pub(crate) fn compile<R: Borrow<Value>>(rules: &Rules, releases: &[R]) -> Result<Value, MergeError> {
        let (releases, ocid) = check(releases)?;
        let (root, last) = merge::<Latest>(rules, &releases)?;
        let date = releases[last].date;
        let mut fields: Map<String, Value> = entries(&root, &releases).collect();
        fields.insert("tag".into(), Value::Array(vec![Value::String("compiled".into())]));
        fields.insert("id".into(), Value::String(format!("{ocid}-{date}")));
        fields.insert("date".into(), Value::String(date.into()));
        fields.insert("ocid".into(), Value::String(ocid.into()));
        Ok(Value::Object(fields))
    }
}
