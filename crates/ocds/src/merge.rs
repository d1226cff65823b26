//! The merge routine. Each release is walked once, in date order, into a tree shaped like the result whose leaves
//! borrow the releases' values; the result is built from the tree at the end, so each value is copied once however
//! many releases repeat it.
//!
//! For the compiled release two shortcuts matter as much as the walk (publishers repeat most of a release in the
//! next: the parties, every milestone): an object or array that the result holds exactly as one release gave it
//! is cloned whole from that release, which is cheaper than rebuilding it field by field, and one that the next
//! release repeats unchanged is recognised by comparison instead of being merged again. A unit test checks both
//! against the plain merge on random releases.
//!
//! The outcome is the one of the standard's flatten-and-merge description (and of ocdsmerge, its reference
//! implementation): a field's value is the last one given, `null` removes it, an empty object or array changes
//! nothing, an array of objects is merged by `id` and any other array is replaced whole.

use std::borrow::{Borrow, Cow};
use std::cell::OnceCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ptr;

use serde_json::{Map, Value};

use crate::rules::{escape, fingerprint, same_text, Entry, Rules, Table, UNDESCRIBED};
use crate::MergeError;

/// Objects and arrays with more entries than this are looked up through a hash map rather than by a scan.
const SCAN_LIMIT: usize = 12;

/// A release known to have what merging needs.
struct Release<'a> {
    value: &'a Value,
    fields: &'a Map<String, Value>,
    date: &'a str,
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

pub(crate) fn compile<R: Borrow<Value>>(rules: &Rules, releases: &[R]) -> Result<Value, MergeError> {
    compile_with::<Latest, R>(rules, releases)
}

fn compile_with<'a, L: Leaf<'a>, R: Borrow<Value>>(rules: &Rules, releases: &'a [R]) -> Result<Value, MergeError> {
    let (releases, ocid) = check(releases)?;
    let (root, last) = merge::<L>(rules, &releases)?;
    let date = releases[last].date;
    let frame = [
        ("tag", Value::Array(vec![Value::String("compiled".into())])),
        ("id", Value::String(format!("{ocid}-{date}"))),
        ("date", Value::String(date.into())),
        ("ocid", Value::String(ocid.into())),
    ];
    let mut pairs = Vec::with_capacity(frame.len() + root.entries.len());
    pairs.extend(frame.into_iter().map(|(name, value)| (name.to_owned(), value)));
    pairs.extend(entries(&root, &releases));
    Ok(Value::Object(pairs.into_iter().collect()))
}

pub(crate) fn versioned<R: Borrow<Value>>(rules: &Rules, releases: &[R]) -> Result<Value, MergeError> {
    let (releases, ocid) = check(releases)?;
    let (root, _) = merge::<History>(rules, &releases)?;
    let mut pairs = Vec::with_capacity(1 + root.entries.len());
    pairs.push(("ocid".to_owned(), Value::String(ocid.into())));
    pairs.extend(entries(&root, &releases));
    Ok(Value::Object(pairs.into_iter().collect()))
}

fn check<R: Borrow<Value>>(releases: &[R]) -> Result<(Vec<Release<'_>>, &str), MergeError> {
    let mut checked = Vec::with_capacity(releases.len());
    let mut first_ocid = None;
    for (index, release) in releases.iter().enumerate() {
        let value = release.borrow();
        let fields = value.as_object().ok_or(MergeError::NotAnObject { index })?;
        let ocid = fields.get("ocid").and_then(Value::as_str).ok_or(MergeError::MissingOcid { index })?;
        let date = fields.get("date").and_then(Value::as_str).ok_or(MergeError::MissingDate { index })?;
        match first_ocid {
            None => first_ocid = Some(ocid),
            Some(expected) if expected != ocid => {
                return Err(MergeError::OcidMismatch { index, expected: expected.into(), found: ocid.into() });
            }
            Some(_) => {}
        }
        checked.push(Release { value, fields, date, version: OnceCell::new() });
    }
    let ocid = first_ocid.ok_or(MergeError::NoReleases)?;
    Ok((checked, ocid))
}

/// Merges the releases oldest first (by `date`, compared as text like ocdsmerge does; releases of the same date
/// in the order given) and says which came last.
fn merge<'a, L: Leaf<'a>>(rules: &Rules, releases: &[Release<'a>]) -> Result<(Object<'a, L>, usize), MergeError> {
    let mut order: Vec<usize> = (0..releases.len()).collect();
    order.sort_by_key(|&i| releases[i].date);
    let mut root = Keyed::with_capacity(releases.first().map_or(0, |release| release.fields.len()));
    for &index in &order {
        let walk = Walk { rules, release: index as u32 };
        let release = &releases[index];
        merge_fields(&mut root, release.value, release.fields, rules.root(), &walk, Own::Release)
            .map_err(|conflict| MergeError::InconsistentType { index, path: conflict.path() })?;
    }
    Ok((root, order.last().copied().unwrap_or_default()))
}

/// What every step of one release's walk needs.
struct Walk<'r> {
    rules: &'r Rules,
    release: u32,
}

/// What a leaf of the tree keeps: the last value (compiled release) or every change (versioned release).
trait Leaf<'a>: Sized {
    /// Whether the tree notes which objects and arrays are exactly as a release gave them, to copy them whole:
    /// only where the result holds values as given (not in a versioned release).
    const COPIES: bool;
    fn new(release: u32, value: &'a Value) -> Self;
    fn update(&mut self, release: u32, value: &'a Value);
    /// A leaf that has only ever been `null` makes way for an object or array a later release puts in its place.
    fn is_null(&self) -> bool;
    fn output(&self, releases: &[Release<'a>]) -> Option<Value>;
}

struct Latest<'a>(&'a Value);

impl<'a> Leaf<'a> for Latest<'a> {
    const COPIES: bool = true;

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

/// The values a field took, each with the release that gave it.
struct History<'a>(Vec<(u32, &'a Value)>);

impl<'a> Leaf<'a> for History<'a> {
    const COPIES: bool = false;

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

    fn is_null(&self) -> bool {
        self.0.iter().all(|(_, value)| value.is_null())
    }

    fn output(&self, releases: &[Release<'a>]) -> Option<Value> {
        let versions = self.0.iter().map(|&(index, value)| releases[index as usize].version(value.clone()));
        Some(Value::Array(versions.collect()))
    }
}

/// Equal as given, so `1` and `1.0` differ (the compiled release keeps the last as written): `Value`'s own `==`,
/// with short texts compared in place. Maps are compared in order, which for `serde_json`'s sorted maps is exact;
/// were `preserve_order` on, equal maps in different orders would only miss the shortcut.
fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => same_text(x, y),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| identical(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k, x), (l, y))| same_text(k, l) && identical(x, y))
        }
        _ => a == b,
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

type Object<'a, L> = Keyed<'a, Field<'a, L>>;
type Array<'a, L> = Keyed<'a, Item<'a, L>>;

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
            Self::Array(items) => Some(match items.source {
                Some(source) => source.clone(),
                None => {
                    Value::Array(items.entries.iter().map(|item| object(item.id, &item.fields, releases)).collect())
                }
            }),
        }
    }

    /// Whether the node is, as it stands, exactly `value` as a release gave it.
    fn is_copy_of(&self, value: &Value) -> bool {
        let source = match self {
            Self::Leaf(_) => None,
            Self::Object(keyed) => keyed.source,
            Self::Array(keyed) => keyed.source,
        };
        source.is_some_and(|source| ptr::eq(source, value))
    }

    /// Merges `value` at once where the node is a copy of an equal value: publishers repeat much of a release in
    /// the next (the parties, every milestone), and comparing is cheaper than merging field by field.
    fn recopy(&mut self, value: &'a Value) -> bool {
        let source = match self {
            Self::Leaf(_) => return false,
            Self::Object(keyed) => &mut keyed.source,
            Self::Array(keyed) => &mut keyed.source,
        };
        recopy(source, value)
    }
}

fn recopy<'a>(source: &mut Option<&'a Value>, value: &'a Value) -> bool {
    match source {
        Some(earlier) if identical(earlier, value) => {
            *source = Some(value);
            true
        }
        _ => false,
    }
}

/// An object of the result: copied whole where a release gave it so, else built from its fields (from an
/// iterator, which lets `serde_json::Map` build in bulk).
fn object<'a, L: Leaf<'a>>(id: Option<&'a Value>, fields: &Object<'a, L>, releases: &[Release<'a>]) -> Value {
    if let Some(source) = fields.source {
        return source.clone();
    }
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
struct Keyed<'a, T> {
    entries: Vec<T>,
    // Boxed: a map is six words, and all but a few nodes are small enough never to need one.
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<u64, usize, BuildHasherDefault<Prehashed>>>>,
    /// The object or array of the release that last merged into this one, if the result is exactly it.
    source: Option<&'a Value>,
}

impl<'a, T: Key> Keyed<'a, T> {
    fn with_capacity(capacity: usize) -> Self {
        Self { entries: Vec::with_capacity(capacity), index: None, source: None }
    }

    #[inline]
    fn find(&self, hash: u64, key: &str) -> Option<usize> {
        if let Some(index) = &self.index {
            let &position = index.get(&hash)?;
            if self.entries[position].key().is_some_and(|found| same_text(found, key)) {
                return Some(position);
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
                    index.entry(entry.hash()).or_insert(position);
                }
                None if position >= SCAN_LIMIT => {
                    let mut index: HashMap<u64, usize, BuildHasherDefault<Prehashed>> = HashMap::default();
                    for (i, earlier) in self.entries.iter().enumerate().filter(|(_, e)| e.key().is_some()) {
                        index.entry(earlier.hash()).or_insert(i);
                    }
                    index.entry(entry.hash()).or_insert(position);
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
struct Prehashed(u64);

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
enum Shape<'a> {
    /// Nothing to merge: an empty object, or an empty array not merged whole.
    Nothing,
    /// A value that replaces the previous one whole.
    Value,
    Container(Container<'a>),
}

/// An object, or an array whose items are all objects, with the value it is.
#[derive(Clone, Copy)]
enum Container<'a> {
    Object(&'a Value, &'a Map<String, Value>),
    Array(&'a Value, &'a [Value]),
}

impl<'a> Shape<'a> {
    fn of(value: &'a Value) -> Self {
        match value {
            Value::Object(fields) if fields.is_empty() => Self::Nothing,
            Value::Object(fields) => Self::Container(Container::Object(value, fields)),
            Value::Array(items) if items.iter().any(|item| !item.is_object()) => Self::Value,
            Value::Array(items) if items.is_empty() => Self::Nothing,
            Value::Array(items) => Self::Container(Container::Array(value, items)),
            _ => Self::Value,
        }
    }
}

impl<'a> Container<'a> {
    fn empty<L>(self) -> Node<'a, L> {
        match self {
            Self::Object(_, fields) => Node::Object(Keyed::with_capacity(fields.len())),
            Self::Array(_, items) => Node::Array(Keyed::with_capacity(items.len())),
        }
    }
}

/// Where a release gives a field another shape than an earlier one did; the path is gathered on the way out.
struct Conflict(Vec<String>);

impl Conflict {
    fn within(mut self, segment: impl Into<String>) -> Self {
        self.0.push(segment.into());
        self
    }

    fn path(&self) -> String {
        self.0.iter().rev().fold(String::new(), |path, segment| path + "/" + &escape(segment))
    }
}

/// Fields of an object that the merge sets itself rather than merging.
#[derive(Clone, Copy)]
enum Own {
    None,
    /// The `id` of an object in an array is what it is merged by, not one of its merged fields.
    Id,
    /// A release's `ocid`, `id`, `date` and `tag` make the compiled release's frame or the versions' metadata.
    Release,
}

impl Own {
    #[inline]
    fn skips(self, name: &str) -> bool {
        match self {
            Self::None => false,
            Self::Id => name == "id",
            Self::Release => matches!(name, "ocid" | "id" | "date" | "tag"),
        }
    }
}

/// Merges one release's object (`object`, which is `value`) into the tree; says whether it put anything there (a
/// new object that receives nothing, such as `{"budget": {}}`, is not added).
fn merge_fields<'a, L: Leaf<'a>>(
    fields: &mut Object<'a, L>,
    value: &'a Value,
    object: &'a Map<String, Value>,
    table: Table,
    walk: &Walk<'_>,
    own: Own,
) -> Result<bool, Conflict> {
    let mut merged = false;
    // Whether the result is still exactly `value`: every field taken as given, none left from before.
    let mut copy = L::COPIES;
    let mut skipped = 0;
    for (name, field) in object {
        let name = name.as_str();
        if own.skips(name) {
            skipped += 1;
            continue;
        }
        let hash = fingerprint(name);
        let (shape, inner) = match walk.rules.get(table, name, hash) {
            Some(Entry::Omit) => {
                copy = false;
                continue;
            }
            Some(Entry::WholeList) => (Shape::Value, UNDESCRIBED),
            Some(Entry::Object(inner) | Entry::Identifier(inner)) => (Shape::of(field), inner),
            None => (Shape::of(field), UNDESCRIBED),
        };
        match shape {
            Shape::Nothing => copy = false,
            Shape::Value => {
                merged = true;
                copy &= !field.is_null();
                match fields.find(hash, name).map(|i| &mut fields.entries[i].node) {
                    None => {
                        fields.push(Field { hash, name, node: Node::Leaf(L::new(walk.release, field)) });
                    }
                    Some(Node::Leaf(leaf)) => leaf.update(walk.release, field),
                    // `null` has no shape: the object or array stays, as with ocdsmerge.
                    Some(_) if field.is_null() => {}
                    Some(_) => return Err(Conflict(Vec::new()).within(name)),
                }
            }
            Shape::Container(container) => {
                let (result, at) = match fields.find(hash, name) {
                    Some(i) if fields.entries[i].node.recopy(field) => (Ok(true), Some(i)),
                    Some(i) => (merge_container(&mut fields.entries[i].node, container, inner, walk), Some(i)),
                    None => new_field(fields, hash, name, container, inner, walk),
                };
                merged |= result.map_err(|conflict| conflict.within(name))?;
                copy &= L::COPIES && at.is_some_and(|i| fields.entries[i].node.is_copy_of(field));
            }
        }
    }
    if L::COPIES {
        fields.source = (copy && fields.entries.len() + skipped == object.len()).then_some(value);
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
) -> (Result<bool, Conflict>, Option<usize>) {
    let mut node = container.empty();
    let result = merge_container(&mut node, container, table, walk);
    let at = matches!(result, Ok(true)).then(|| fields.push(Field { hash, name, node }));
    (result, at)
}

fn merge_container<'a, L: Leaf<'a>>(
    node: &mut Node<'a, L>,
    container: Container<'a>,
    table: Table,
    walk: &Walk<'_>,
) -> Result<bool, Conflict> {
    match (node, container) {
        (Node::Object(fields), Container::Object(value, object)) => {
            merge_fields(fields, value, object, table, walk, Own::None)
        }
        (Node::Array(items), Container::Array(value, array)) => merge_items(items, value, array, table, walk),
        (node @ Node::Leaf(_), _) => {
            if !matches!(node, Node::Leaf(leaf) if leaf.is_null()) {
                return Err(Conflict(Vec::new()));
            }
            let mut fresh = container.empty();
            let merged = merge_container(&mut fresh, container, table, walk)?;
            if merged {
                *node = fresh;
            }
            Ok(merged)
        }
        _ => Err(Conflict(Vec::new())),
    }
}

/// The identifier merge: an object joins the earlier object of the same `id`, or is added at the end.
fn merge_items<'a, L: Leaf<'a>>(
    items: &mut Array<'a, L>,
    value: &'a Value,
    array: &'a [Value],
    table: Table,
    walk: &Walk<'_>,
) -> Result<bool, Conflict> {
    let mut merged = false;
    // Whether the result is still exactly `value`: each object where the release put it, and copied whole.
    let mut copy = L::COPIES;
    for (position, element) in array.iter().enumerate() {
        let Some(object) = element.as_object() else { continue };
        let at = match object.get("id").filter(|id| !id.is_null()) {
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
                let item = &mut items.entries[at];
                if !recopy(&mut item.fields.source, element) {
                    merge_fields(&mut item.fields, element, object, table, walk, Own::Id)
                        .map_err(|conflict| conflict.within(key.into_owned()))?;
                    // The `id` kept is the first one given, which may be written differently (`1`, `"1"`).
                    if L::COPIES && item.id != Some(id) {
                        item.fields.source = None;
                    }
                }
                merged = true;
                Some(at)
            }
            // Without an `id`, an object is new in every release (ocdsmerge gives it a fresh UUID).
            None => {
                let mut fields = Keyed::with_capacity(object.len());
                let added = merge_fields(&mut fields, element, object, table, walk, Own::Id)
                    .map_err(|conflict| conflict.within(position.to_string()))?;
                if object.contains_key("id") {
                    fields.source = None;
                }
                merged |= added;
                added.then(|| items.push(Item { hash: 0, key: None, id: None, fields }))
            }
        };
        copy &= L::COPIES && at == Some(position) && items.entries[position].fields.source.is_some();
    }
    if L::COPIES {
        items.source = (copy && items.entries.len() == array.len()).then_some(value);
    }
    Ok(merged)
}

/// What objects are merged by: the `id` as text, so `1` and `"1"` name the same object.
fn id_key(id: &Value) -> Cow<'_, str> {
    match id {
        Value::String(text) => Cow::Borrowed(text),
        other => Cow::Owned(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Merger;

    /// [`Latest`] without copying objects whole: the plain merge, for checking the copies against.
    struct Plain<'a>(Latest<'a>);

    impl<'a> Leaf<'a> for Plain<'a> {
        const COPIES: bool = false;

        fn new(release: u32, value: &'a Value) -> Self {
            Self(Latest::new(release, value))
        }

        fn update(&mut self, release: u32, value: &'a Value) {
            self.0.update(release, value);
        }

        fn is_null(&self) -> bool {
            self.0.is_null()
        }

        fn output(&self, releases: &[Release<'a>]) -> Option<Value> {
            self.0.output(releases)
        }
    }

    /// xorshift64*: enough randomness for shapes of releases, with no dependency.
    struct Random(u64);

    impl Random {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) % n
        }

        fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
            from[self.below(from.len() as u64) as usize]
        }
    }

    /// A value for a field; the field's name decides its kind, so that releases never disagree on shapes, and
    /// the few values repeat, so that releases often repeat each other.
    fn value(random: &mut Random, name: &str, depth: u32) -> Value {
        if random.below(12) == 0 {
            return Value::Null;
        }
        match name {
            "roles" | "words" => {
                let words: Vec<&str> = (0..random.below(3)).map(|_| random.pick(&["a", "b", "c"])).collect();
                json!(words)
            }
            "additionalIdentifiers" | "parties" | "items" | "awards" | "list" => {
                let count = if depth < 3 { random.below(4) } else { 0 };
                let items = (0..count).map(|_| {
                    let mut item = object(random, depth + 1);
                    match random.below(8) {
                        0 => {}
                        1 => {
                            item.insert("id".into(), json!(1));
                        }
                        _ => {
                            item.insert("id".into(), random.pick(&["1", "2", "3"]).into());
                        }
                    }
                    Value::Object(item)
                });
                Value::Array(items.collect())
            }
            "tender" | "planning" | "budget" | "address" | "extra" if depth < 3 => {
                Value::Object(object(random, depth + 1))
            }
            "tender" | "planning" | "budget" | "address" | "extra" => json!({}),
            _ => match random.below(3) {
                0 => json!(random.below(3)),
                1 => json!(random.below(3) as f64),
                _ => random.pick(&["x", "y", "较长的中文标题文字"]).into(),
            },
        }
    }

    fn object(random: &mut Random, depth: u32) -> Map<String, Value> {
        const NAMES: &[&str] = &[
            "title",
            "status",
            "amount",
            "roles",
            "words",
            "additionalIdentifiers",
            "items",
            "list",
            "budget",
            "address",
            "extra",
        ];
        (0..random.below(5))
            .map(|_| {
                let name = random.pick(NAMES);
                (name.to_owned(), value(random, name, depth))
            })
            .collect()
    }

    fn releases(random: &mut Random) -> Vec<Value> {
        (0..1 + random.below(5))
            .map(|n| {
                let mut release = Map::new();
                for name in ["tender", "planning", "parties", "awards", "extra", "title"] {
                    if random.below(2) == 0 {
                        release.insert(name.into(), value(random, name, 0));
                    }
                }
                release.insert("ocid".into(), "ocds-213czf-1".into());
                release.insert("id".into(), n.to_string().into());
                release.insert("date".into(), format!("2025-01-0{}", 1 + random.below(3)).into());
                release.insert("tag".into(), json!(["tender"]));
                Value::Object(release)
            })
            .collect()
    }

    /// Copying what a release gave whole, and recognising it when the next release repeats it, must never
    /// change the compiled release.
    #[test]
    fn copies_are_the_plain_merge() {
        let rules = &Merger::ocds_1_1().rules;
        let mut random = Random(0x5eed_0cd5);
        for round in 0..4000 {
            let releases = releases(&mut random);
            let copied = compile_with::<Latest, _>(rules, &releases);
            let plain = compile_with::<Plain, _>(rules, &releases);
            assert_eq!(copied, plain, "round {round}: {}", Value::Array(releases.clone()));
        }
    }
}
