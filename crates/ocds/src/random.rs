//! Random releases for the tests that compare two ways of merging: few names and values, so that releases often
//! repeat and update each other (or repeat a field whole), with the awkward cases mixed in (`1` and `"1"` as ids, `null` ids, long arrays,
//! names alike in their first bytes, text that must be escaped, and now and then a field of another shape).

use serde_json::{json, Map, Value};

/// xorshift64*: enough randomness for shapes of releases, with no dependency.
pub(crate) struct Random(pub(crate) u64);

impl Random {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) % n
    }

    fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from[self.below(from.len() as u64) as usize]
    }
}

/// Field names: some the schema describes, some alike in their first eight bytes or shorter than them, one that
/// must be escaped.
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
    "procurementMethod",
    "procurementMethodDetails",
    "a",
    "ab",
    "abcdefgh",
    "abcdefghi",
    "id\u{0}",
    "quo\"te\n",
];

const TEXTS: &[&str] = &["x", "y", "较长的中文标题文字", "a \"quoted\" \\ path", "tab\tand\u{1}control\u{7f}", ""];

/// A value for a field; the field's name decides its kind (so releases seldom disagree on shapes), and the few
/// values repeat.
fn value(random: &mut Random, name: &str, depth: u32) -> Value {
    if random.below(12) == 0 {
        return Value::Null;
    }
    // Now and then a field of another shape than its name's, which merging must refuse the same way both ways.
    let name = if random.below(60) == 0 { random.pick(&["title", "items", "budget", "roles"]) } else { name };
    match name {
        "roles" | "words" => {
            let words: Vec<&str> = (0..random.below(3)).map(|_| random.pick(&["a", "b", "c"])).collect();
            json!(words)
        }
        "additionalIdentifiers" | "parties" | "items" | "awards" | "list" => {
            let count = match depth {
                0..=2 if random.below(10) == 0 => 10 + random.below(12),
                0..=2 => random.below(4),
                _ => 0,
            };
            let ids = if count > 4 { 25 } else { 3 };
            let items = (0..count).map(|_| {
                let mut item = object(random, depth + 1);
                match random.below(10) {
                    0 => {}
                    1 => {
                        item.insert("id".into(), json!(1));
                    }
                    2 => {
                        item.insert("id".into(), Value::Null);
                    }
                    _ => {
                        item.insert("id".into(), (1 + random.below(ids)).to_string().into());
                    }
                }
                Value::Object(item)
            });
            Value::Array(items.collect())
        }
        "tender" | "planning" | "budget" | "address" | "extra" if depth < 3 => Value::Object(object(random, depth + 1)),
        "tender" | "planning" | "budget" | "address" | "extra" => json!({}),
        _ => match random.below(3) {
            0 => json!(random.below(3)),
            // `-0.0` equals `0.0` but is written otherwise.
            1 => json!(random.below(3) as f64 / 2.0 * if random.below(4) == 0 { -1.0 } else { 1.0 }),
            _ => random.pick(TEXTS).into(),
        },
    }
}

fn object(random: &mut Random, depth: u32) -> Map<String, Value> {
    (0..random.below(6))
        .map(|_| {
            let name = random.pick(NAMES);
            (name.to_owned(), value(random, name, depth))
        })
        .collect()
}

/// One to five releases of one process, some of them of the same date; a release often repeats a field of the one
/// before as it was, as publishers do.
pub(crate) fn releases(random: &mut Random) -> Vec<Value> {
    let mut releases: Vec<Value> = Vec::new();
    for n in 0..1 + random.below(5) {
        let mut release = Map::new();
        for name in ["tender", "planning", "parties", "awards", "extra", "title", "abcdefghi"] {
            let before = releases.last().and_then(|before| before.get(name));
            match (random.below(3), before) {
                (0, Some(before)) => {
                    release.insert(name.into(), before.clone());
                }
                _ if random.below(2) == 0 => {
                    release.insert(name.into(), value(random, name, 0));
                }
                _ => {}
            }
        }
        release.insert("ocid".into(), "ocds-213czf-\"1\"".into());
        release.insert("id".into(), n.to_string().into());
        release.insert("date".into(), format!("2025-01-0{}", 1 + random.below(3)).into());
        release.insert("tag".into(), json!(["tender"]));
        releases.push(Value::Object(release));
    }
    releases
}
