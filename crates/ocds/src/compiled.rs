//! The compiled release as a tree that borrows the releases' names and values, written as JSON (or handed to any
//! `serde` serializer) without a `serde_json::Value` being built.
//!
//! The tree lives in two vectors, the fields of every object in one and the objects of every array in the other,
//! linked by position, so building it allocates a handful of times rather than once per object, and a
//! [`Compiler`] keeps the vectors from one record to the next. An object's fields are kept sorted by name: a
//! release's fields come sorted too (serde_json's maps are ordered by key), so finding a field is a step along the
//! list, mostly a comparison of the names' first eight bytes, and the tree is written in key order as it stands.
//! A field's rule is looked up when it first matters.
//!
//! Publishers repeat most of a release in the next (the parties, every milestone). Recognising a repeated object by
//! comparison, as the `Value`-building merge once did, costs as much as merging it again here: a comparison reads
//! both releases' texts, a merge only points at the newer one.

use std::borrow::Borrow;
use std::sync::OnceLock;
use std::{fmt, iter};

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use crate::merge::{check, date_order, id_key, inner, Conflict, Container, Index, Own, Shape, SCAN_LIMIT};
use crate::rules::{fingerprint, same_text, Entry, Rules, Table};
use crate::{json, MergeError, Merger};

/// The end of a list.
const END: u32 = u32::MAX;

/// What a field the schema leaves out holds: `null`, which is never written and never updated.
static OMITTED: Value = Value::Null;

/// A record's compiled release, borrowing its releases. It serializes (with `serde`) to the same JSON as
/// [`Merger::compile`]'s `Value`, and [`Compiled::write_json`] writes those bytes faster than a serializer can.
pub struct Compiled<'a> {
    ocid: &'a str,
    date: &'a str,
    tree: Tree<'a>,
}

/// Compiles records one after another into JSON, reusing its memory: a server keeps one per worker.
#[derive(Debug)]
pub struct Compiler<'m> {
    merger: &'m Merger,
    /// The vectors of the last record's tree, emptied.
    scratch: Tree<'static>,
    /// The length of the last record's JSON: reserved at once for the next, which is likely of its size, rather
    /// than grown to by doubling (copying what is written so far each time).
    last_len: usize,
}

/// The merged objects and arrays, linked by position; `root` is the first field of the release.
#[derive(Debug)]
struct Tree<'a> {
    fields: Vec<Field<'a>>,
    items: Vec<Item<'a>>,
    indexes: Vec<Index>,
    root: u32,
}

/// A field of an object, in its object's list sorted by name.
#[derive(Debug, Clone, Copy)]
struct Field<'a> {
    /// The name's first eight bytes as a big-endian number, zero-padded: names compare as these numbers do, unless
    /// the numbers are equal.
    head: u64,
    name: &'a str,
    next: u32,
    ruling: Ruling,
    node: Node<'a>,
}

/// A field's rule, read from the schema when it first matters: a plain value needs none, unless its object's
/// table leaves fields out.
#[derive(Debug, Clone, Copy)]
enum Ruling {
    /// Not read yet; the table of the field's object.
    Unread(Table),
    Read(Option<Entry>),
}

#[derive(Debug, Clone, Copy)]
enum Node<'a> {
    /// The last value given, when it is text: kept as the text, so writing it reads the text alone.
    Text(&'a str),
    /// The last value given otherwise; `null` is written as no field.
    Leaf(&'a Value),
    /// The first field of the object.
    Object(u32),
    Array(List),
}

/// The objects of an array merged by identifier, in the order they first appeared.
#[derive(Debug, Clone, Copy)]
struct List {
    first: u32,
    last: u32,
    len: u32,
    /// The map from the fingerprint of an `id` to its object, in [`Tree::indexes`], once the list is long.
    index: u32,
}

impl<'a> Node<'a> {
    fn leaf(value: &'a Value) -> Self {
        match value {
            Value::String(text) => Self::Text(text),
            _ => Self::Leaf(value),
        }
    }

    fn is_leaf(self) -> bool {
        matches!(self, Self::Text(_) | Self::Leaf(_))
    }
}

impl List {
    const EMPTY: Self = Self { first: END, last: END, len: 0, index: END };
}

/// An object of an array.
#[derive(Debug)]
struct Item<'a> {
    /// What the object is merged by; `None` for an object without an `id`, which is never merged with another.
    id: Option<&'a Value>,
    next: u32,
    /// The first field of the object; the `id` is one of them.
    fields: u32,
}

impl Merger {
    /// The compiled release as a tree borrowing `releases`, to serialize or to write with
    /// [`Compiled::write_json`]; the same release as [`Merger::compile`].
    pub fn compiled<'a, R: Borrow<Value>>(&self, releases: &'a [R]) -> Result<Compiled<'a>, MergeError> {
        compile(&self.rules, releases, Tree::default())
    }

    /// A compiler for many records, which keeps its memory from one to the next.
    pub fn compiler(&self) -> Compiler<'_> {
        Compiler { merger: self, scratch: Tree::default(), last_len: 0 }
    }
}

impl Compiler<'_> {
    /// Appends the compiled release of `releases` to `out` as JSON: the bytes of
    /// `serde_json::to_vec(&merger.compile(releases)?)`.
    pub fn write_json<R: Borrow<Value>>(&mut self, releases: &[R], out: &mut Vec<u8>) -> Result<(), MergeError> {
        let compiled = compile(&self.merger.rules, releases, std::mem::take(&mut self.scratch).recycle())?;
        let start = out.len();
        out.reserve(self.last_len);
        compiled.write_json(out);
        self.last_len = out.len() - start;
        self.scratch = compiled.tree.recycle();
        Ok(())
    }
}

impl Default for Tree<'_> {
    fn default() -> Self {
        Self { fields: Vec::new(), items: Vec::new(), indexes: Vec::new(), root: END }
    }
}

impl Tree<'_> {
    /// The tree emptied, its vectors kept for a tree of other releases.
    fn recycle<'b>(self) -> Tree<'b> {
        Tree { fields: recycle(self.fields), items: recycle(self.items), indexes: recycle(self.indexes), root: END }
    }
}

/// The vector emptied and retyped, keeping its allocation: collecting from a vector's own iterator into elements
/// of the same size reuses its memory.
fn recycle<T, U>(vec: Vec<T>) -> Vec<U> {
    vec.into_iter().filter_map(|_| None).collect()
}

fn compile<'a, R: Borrow<Value>>(rules: &Rules, releases: &'a [R], tree: Tree<'a>) -> Result<Compiled<'a>, MergeError> {
    let (releases, ocid) = check(releases)?;
    let order = date_order(&releases);
    let mut builder = Builder { rules, sorted: maps_are_sorted(), tree };
    for &index in &order {
        let fields = releases[index].fields;
        let root = builder.tree.root;
        let (root, _) = builder
            .merge_object::<RELEASE>(root, fields, rules.root())
            .map_err(|conflict| MergeError::InconsistentType { index, path: conflict.path() })?;
        builder.tree.root = root;
    }
    let date = releases[order.last().copied().unwrap_or_default()].date;
    Ok(Compiled { ocid, date, tree: builder.tree })
}

/// Whether serde_json's maps iterate in key order, as they do unless a crate in the build enables its
/// `preserve_order`; if not, each field is looked for from the start of its object's list.
fn maps_are_sorted() -> bool {
    static SORTED: OnceLock<bool> = OnceLock::new();
    *SORTED.get_or_init(|| {
        let map: Map<String, Value> = ["b", "a"].into_iter().map(|key| (key.into(), Value::Null)).collect();
        map.keys().next().is_some_and(|first| first == "a")
    })
}

/// The first eight bytes of a name as a big-endian number, zero-padded, read in at most two loads.
#[inline]
fn head(name: &str) -> u64 {
    let bytes = name.as_bytes();
    if let Some(word) = bytes.first_chunk::<8>() {
        return u64::from_be_bytes(*word);
    }
    match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>(), bytes) {
        // The two halves overlap where the name is shorter than eight bytes, on the same bytes.
        (Some(first), Some(last), _) => {
            u64::from(u32::from_be_bytes(*first)) << 32
                | u64::from(u32::from_be_bytes(*last)) << (8 * (8 - bytes.len()))
        }
        (_, _, &[a, b, c]) => u64::from_be_bytes([a, b, c, 0, 0, 0, 0, 0]),
        (_, _, &[a, b]) => u64::from_be_bytes([a, b, 0, 0, 0, 0, 0, 0]),
        (_, _, &[a]) => u64::from_be_bytes([a, 0, 0, 0, 0, 0, 0, 0]),
        _ => 0,
    }
}

/// Whether a value is merged by its fields or items (or replaces the one before whole, by its rule).
#[inline]
fn is_container(value: &Value) -> bool {
    matches!(value, Value::Object(_) | Value::Array(_))
}

/// Whether a field has the name (of head `head`). Names of up to eight bytes are whole in their heads, so the
/// field's name is not read (it lies in an earlier release's memory).
#[inline]
fn is_named(field: &Field<'_>, head: u64, name: &str) -> bool {
    field.head == head && field.name.len() == name.len() && (name.len() <= 8 || same_text(field.name, name))
}

/// Whether a field comes before a name it does not have, in the order of serde_json's maps (by bytes).
#[inline]
fn is_before(field: &Field<'_>, head: u64, name: &str) -> bool {
    field.head < head || field.head == head && field.name < name
}

/// The head of `id`.
const ID_HEAD: u64 = 0x6964 << 48;

/// An object's `id` and its key, unless it has none or it is `null`: read by a walk that stops where `id` would be
/// (the map being sorted), which costs less than the map's own search.
#[inline]
fn id_of(object: &Map<String, Value>, sorted: bool) -> Option<(&str, &Value)> {
    for (name, value) in object {
        let head = head(name);
        if head == ID_HEAD && name == "id" {
            return (!value.is_null()).then_some((name, value));
        }
        if sorted && head > ID_HEAD {
            return None;
        }
    }
    None
}

/// `1` and `"1"` are the same `id`.
#[inline]
fn same_id(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => same_text(a, b),
        _ => id_key(a) == id_key(b),
    }
}

/// Which object [`Builder::merge_object`] merges, as a constant so that an ordinary object's fields are not each
/// asked whether the merge sets them itself ([`Own`]).
const FIELDS: u8 = 0;
const ITEM: u8 = 1;
const RELEASE: u8 = 2;

impl Own {
    fn of(kind: u8) -> Self {
        match kind {
            ITEM => Self::Id,
            RELEASE => Self::Release,
            _ => Self::None,
        }
    }
}

struct Builder<'r, 'a> {
    rules: &'r Rules,
    sorted: bool,
    tree: Tree<'a>,
}

impl<'a> Builder<'_, 'a> {
    /// Merges one release's object into the object whose list starts at `first`; returns the list's new start and
    /// whether the release put anything there (a new object that receives nothing, such as `{"budget": {}}`, is
    /// not added).
    fn merge_object<const OWN: u8>(
        &mut self,
        mut first: u32,
        object: &'a Map<String, Value>,
        table: Table,
    ) -> Result<(u32, bool), Conflict> {
        let mut merged = false;
        let sorted = self.sorted;
        // The list is walked along with the release's fields: `at` is the first field not before the name.
        let (mut before, mut at) = (END, first);
        for (name, value) in object {
            let name = name.as_str();
            if OWN != FIELDS && Own::of(OWN).skips(name) {
                continue;
            }
            if !sorted {
                (before, at) = (END, first);
            }
            let head = head(name);
            let found = loop {
                let Some(field) = self.tree.fields.get(at as usize) else { break false };
                if is_named(field, head, name) {
                    break true;
                }
                if !is_before(field, head, name) {
                    break false;
                }
                (before, at) = (at, field.next);
            };
            if found {
                let field = &mut self.tree.fields[at as usize];
                // Most fields are plain values replaced by plain values: the merge is to point at the newer one.
                let plain = field.node.is_leaf() && !is_container(value);
                let next = if plain && !matches!(field.ruling, Ruling::Read(Some(Entry::Omit))) {
                    field.node = Node::leaf(value);
                    merged = true;
                    field.next
                } else {
                    merged |= self.merge_field(at, value).map_err(|conflict| conflict.within(name))?;
                    self.tree.fields[at as usize].next
                };
                (before, at) = (at, next);
                continue;
            }
            let ruling = if is_container(value) || self.rules.omits(table) {
                Ruling::Read(self.rules.get(table, name, fingerprint(name)))
            } else {
                Ruling::Unread(table)
            };
            let rule = match ruling {
                Ruling::Read(rule) => rule,
                Ruling::Unread(_) => None,
            };
            let node = if rule == Some(Entry::Omit) {
                Node::Leaf(&OMITTED)
            } else {
                match Shape::of(value, rule) {
                    Shape::Nothing => continue,
                    Shape::Value => Node::leaf(value),
                    Shape::Container(container) => {
                        match self.container(container, inner(rule)).map_err(|conflict| conflict.within(name))? {
                            Some(node) => node,
                            None => continue,
                        }
                    }
                }
            };
            merged |= rule != Some(Entry::Omit);
            let new = self.tree.fields.len() as u32;
            self.tree.fields.push(Field { head, name, next: at, ruling, node });
            match before {
                END => first = new,
                before => self.tree.fields[before as usize].next = new,
            }
            before = new;
        }
        Ok((first, merged))
    }

    /// Merges a release's value into the field at `at`; says whether it put anything there.
    fn merge_field(&mut self, at: u32, value: &'a Value) -> Result<bool, Conflict> {
        let Field { name, ruling, node, .. } = self.tree.fields[at as usize];
        let rule = match ruling {
            Ruling::Read(rule) => rule,
            Ruling::Unread(_) if !is_container(value) => None,
            Ruling::Unread(table) => {
                let rule = self.rules.get(table, name, fingerprint(name));
                self.tree.fields[at as usize].ruling = Ruling::Read(rule);
                rule
            }
        };
        if rule == Some(Entry::Omit) {
            return Ok(false);
        }
        let node = match (Shape::of(value, rule), node) {
            (Shape::Nothing, _) => return Ok(false),
            (Shape::Value, node) if node.is_leaf() => Node::leaf(value),
            // `null` has no shape: the object or array stays, as with ocdsmerge.
            (Shape::Value, _) if value.is_null() => return Ok(true),
            (Shape::Value, _) => return Err(Conflict::default()),
            (Shape::Container(Container::Object(object)), Node::Object(first)) => {
                let (first, merged) = self.merge_object::<FIELDS>(first, object, inner(rule))?;
                self.tree.fields[at as usize].node = Node::Object(first);
                return Ok(merged);
            }
            (Shape::Container(Container::Array(array)), Node::Array(list)) => {
                let (list, merged) = self.merge_items(list, array, inner(rule))?;
                self.tree.fields[at as usize].node = Node::Array(list);
                return Ok(merged);
            }
            (Shape::Container(container), Node::Leaf(leaf)) if leaf.is_null() => {
                match self.container(container, inner(rule))? {
                    Some(node) => node,
                    None => return Ok(false),
                }
            }
            (Shape::Container(_), _) => return Err(Conflict::default()),
        };
        self.tree.fields[at as usize].node = node;
        Ok(true)
    }

    /// An object or array built from one release's value alone; `None` where it puts nothing in the result.
    fn container(&mut self, container: Container<'a>, table: Table) -> Result<Option<Node<'a>>, Conflict> {
        Ok(match container {
            Container::Object(object) => {
                let (first, merged) = self.merge_object::<FIELDS>(END, object, table)?;
                merged.then_some(Node::Object(first))
            }
            Container::Array(array) => {
                let (list, merged) = self.merge_items(List::EMPTY, array, table)?;
                merged.then_some(Node::Array(list))
            }
        })
    }

    /// The identifier merge: an object joins the earlier object of the same `id`, or is added at the end.
    fn merge_items(&mut self, mut list: List, array: &'a [Value], table: Table) -> Result<(List, bool), Conflict> {
        let mut merged = false;
        // Where the next object most likely is: after the one before, publishers keeping their arrays' order.
        let mut guess = list.first;
        for (position, element) in array.iter().enumerate() {
            let Some(object) = element.as_object() else { continue };
            match id_of(object, self.sorted) {
                Some((key, id)) => {
                    let at = match self.find_item(&list, guess, id) {
                        Some(at) => at,
                        None => {
                            let fields = self.tree.fields.len() as u32;
                            let (ruling, node) = (Ruling::Read(None), Node::leaf(id));
                            self.tree.fields.push(Field { head: ID_HEAD, name: key, next: END, ruling, node });
                            self.push_item(&mut list, Some(id), fields)
                        }
                    };
                    let first = self.tree.items[at as usize].fields;
                    let (first, _) = self
                        .merge_object::<ITEM>(first, object, table)
                        .map_err(|conflict| conflict.within(id_key(id).into_owned()))?;
                    self.tree.items[at as usize].fields = first;
                    guess = self.tree.items[at as usize].next;
                    merged = true;
                }
                // Without an `id`, an object is new in every release (ocdsmerge gives it a fresh UUID).
                None => {
                    let (first, added) = self
                        .merge_object::<ITEM>(END, object, table)
                        .map_err(|conflict| conflict.within(position.to_string()))?;
                    if added {
                        self.push_item(&mut list, None, first);
                    }
                    merged |= added;
                }
            }
        }
        Ok((list, merged))
    }

    fn find_item(&self, list: &List, guess: u32, id: &Value) -> Option<u32> {
        let items = &self.tree.items;
        let is = |at: u32| items[at as usize].id.is_some_and(|known| same_id(known, id));
        if guess != END && is(guess) {
            return Some(guess);
        }
        if list.index != END {
            let &at = self.tree.indexes[list.index as usize].get(&fingerprint(&id_key(id)))?;
            if is(at) {
                return Some(at);
            }
            // Two ids with one fingerprint: the index holds the first, so look at the others.
        }
        let mut at = list.first;
        while at != END {
            if is(at) {
                return Some(at);
            }
            at = items[at as usize].next;
        }
        None
    }

    fn push_item(&mut self, list: &mut List, id: Option<&'a Value>, fields: u32) -> u32 {
        let tree = &mut self.tree;
        let at = tree.items.len() as u32;
        tree.items.push(Item { id, next: END, fields });
        match list.last {
            END => list.first = at,
            last => tree.items[last as usize].next = at,
        }
        list.last = at;
        list.len += 1;
        if list.index == END && list.len as usize > SCAN_LIMIT {
            list.index = tree.indexes.len() as u32;
            tree.indexes.push(Index::default());
            let mut earlier = list.first;
            while earlier != END {
                let item = &tree.items[earlier as usize];
                if let Some(id) = item.id {
                    tree.indexes[list.index as usize].entry(fingerprint(&id_key(id))).or_insert(earlier);
                }
                earlier = item.next;
            }
        } else if let (Some(id), true) = (id, list.index != END) {
            tree.indexes[list.index as usize].entry(fingerprint(&id_key(id))).or_insert(at);
        }
        at
    }
}

/// A field of the compiled release as written: the release's own fields, or one the merge gives.
#[derive(Clone, Copy)]
enum Shown<'t, 'a> {
    Node(&'t Tree<'a>, Node<'a>),
    Text(&'a str),
    /// `{ocid}-{date}`.
    Id(&'a str, &'a str),
    /// `["compiled"]`.
    Tag,
}

impl<'a> Tree<'a> {
    /// The fields of the object whose list starts at `first`, in key order, without those given as `null`.
    fn fields(&self, first: u32) -> impl Iterator<Item = &Field<'a>> + '_ {
        let mut at = first;
        iter::from_fn(move || {
            while let Some(field) = self.fields.get(at as usize) {
                at = field.next;
                if !matches!(field.node, Node::Leaf(Value::Null)) {
                    return Some(field);
                }
            }
            None
        })
    }

    /// The first field of each object of an array, in order.
    fn items(&self, list: List) -> impl Iterator<Item = u32> + '_ {
        let mut at = list.first;
        iter::from_fn(move || {
            let item = self.items.get(at as usize)?;
            at = item.next;
            Some(item.fields)
        })
    }

    fn write_object(&self, out: &mut Vec<u8>, first: u32) {
        out.push(b'{');
        for (i, field) in self.fields(first).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // A short name is whole in its head: written from there, without reading the release it came from.
            let len = field.name.len();
            if len > 8 || !json::short_key(out, len, field.head) {
                json::key(out, field.name.as_bytes());
            }
            self.write(out, field.node);
        }
        out.push(b'}');
    }

    /// The node as a `Value`; maps are built from their fields in key order, which `serde_json` builds in bulk.
    fn value(&self, node: Node<'a>) -> Value {
        match node {
            Node::Text(text) => Value::String(text.to_owned()),
            Node::Leaf(value) => value.clone(),
            Node::Object(first) => {
                Value::Object(self.fields(first).map(|field| (field.name.to_owned(), self.value(field.node))).collect())
            }
            Node::Array(list) => Value::Array(self.items(list).map(|first| self.value(Node::Object(first))).collect()),
        }
    }

    fn write(&self, out: &mut Vec<u8>, node: Node<'a>) {
        match node {
            Node::Text(text) => json::string(out, text),
            Node::Leaf(value) => json::value(out, value),
            Node::Object(first) => self.write_object(out, first),
            Node::Array(list) => {
                out.push(b'[');
                for (i, first) in self.items(list).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write_object(out, first);
                }
                out.push(b']');
            }
        }
    }
}

impl<'a> Compiled<'a> {
    /// The release's fields in key order, the merge's own (`date`, `id`, `ocid`, `tag`) among them.
    fn entries(&self) -> impl Iterator<Item = (&'a str, Shown<'_, 'a>)> + '_ {
        let mut own = [
            ("date", Shown::Text(self.date)),
            ("id", Shown::Id(self.ocid, self.date)),
            ("ocid", Shown::Text(self.ocid)),
            ("tag", Shown::Tag),
        ]
        .into_iter()
        .peekable();
        let mut fields =
            self.tree.fields(self.tree.root).map(|field| (field.name, Shown::Node(&self.tree, field.node)));
        let mut field = fields.next();
        iter::from_fn(move || match (own.peek(), field) {
            (Some(&(name, _)), Some((next, _))) if name < next => own.next(),
            (_, Some(_)) => std::mem::replace(&mut field, fields.next()),
            (Some(_), None) => own.next(),
            (None, None) => None,
        })
    }

    /// The compiled release as a `Value`, for [`Merger::compile`].
    pub(crate) fn to_value(&self) -> Value {
        let entries = self.entries().map(|(name, shown)| {
            let value = match shown {
                Shown::Node(tree, node) => tree.value(node),
                Shown::Text(text) => Value::String(text.to_owned()),
                Shown::Id(ocid, date) => Value::String(format!("{ocid}-{date}")),
                Shown::Tag => Value::Array(vec![Value::String("compiled".to_owned())]),
            };
            (name.to_owned(), value)
        });
        Value::Object(entries.collect())
    }

    /// Appends the compiled release to `out` as JSON: the bytes of `serde_json::to_vec` of it, or of
    /// [`Merger::compile`]'s `Value`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (name, shown)) in self.entries().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::key(out, name.as_bytes());
            match shown {
                Shown::Node(tree, node) => tree.write(out, node),
                Shown::Text(text) => json::string(out, text),
                Shown::Id(ocid, date) => json::string(out, &format!("{ocid}-{date}")),
                Shown::Tag => out.extend_from_slice(br#"["compiled"]"#),
            }
        }
        out.push(b'}');
    }
}

impl Serialize for Compiled<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries().count()))?;
        for (name, shown) in self.entries() {
            map.serialize_entry(name, &shown)?;
        }
        map.end()
    }
}

impl Serialize for Shown<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Node(_, Node::Text(text)) => serializer.serialize_str(text),
            Self::Node(_, Node::Leaf(value)) => value.serialize(serializer),
            Self::Node(tree, Node::Object(first)) => {
                let mut map = serializer.serialize_map(Some(tree.fields(first).count()))?;
                for field in tree.fields(first) {
                    map.serialize_entry(field.name, &Self::Node(tree, field.node))?;
                }
                map.end()
            }
            Self::Node(tree, Node::Array(list)) => {
                let mut seq = serializer.serialize_seq(Some(list.len as usize))?;
                for first in tree.items(list) {
                    seq.serialize_element(&Self::Node(tree, Node::Object(first)))?;
                }
                seq.end()
            }
            Self::Text(text) => serializer.serialize_str(text),
            Self::Id(ocid, date) => serializer.collect_str(&format_args!("{ocid}-{date}")),
            Self::Tag => ["compiled"].serialize(serializer),
        }
    }
}

impl fmt::Debug for Compiled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.write_json(&mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

#[cfg(test)]
mod tests;
