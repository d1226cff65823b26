//! The tamper-evident audit log: every event's hash covers the previous hash and a canonical encoding of
//! the event, so editing, deleting or reordering any stored event breaks every hash after it.
//!
//! The chain is kept apart from its content (hash rule 2): an event's hash covers the previous hash, its number,
//! time and action, and the SHA-256 of its payload (who did what to which object, before and after). The chain is
//! public and anyone can verify it; a payload is shown only to readers in its [`Scope`]. Events sealed before the
//! split keep their old hashes (rule 1: over the previous hash and the whole event) and verify by that rule.

mod action;
mod scope;

pub use action::Action;
pub use scope::Scope;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The hash the first event chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event before it is sealed into the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    /// Stored as text in one fixed format, so the bytes that were hashed are the bytes read back.
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Value,
    pub after: Value,
    pub prev_hash: String,
    pub hash: String,
    /// The hash rule that sealed the event: 1 before the chain was split from its content, 2 since.
    #[serde(default = "rule_one")]
    pub rule: u8,
    /// Rule 2: the SHA-256 of the canonical payload, which the event's hash covers in its place.
    #[serde(default)]
    pub payload_hash: Option<String>,
}

/// The rule new events are sealed with.
pub const RULE: u8 = 2;

fn rule_one() -> u8 {
    1
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

fn canonical(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_canonical(v, &mut out);
    out
}

/// What anyone may read of an event: its place in the chain, and its payload when the reader is in scope.
/// `at` and `action` are withheld only for records of sealed bids kept from before the split (rule 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicEvent {
    pub seq: i64,
    pub at: Option<String>,
    pub action: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    pub payload_hash: Option<String>,
    pub rule: u8,
    pub payload: Option<Value>,
}

pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// JSON with object keys sorted at every level and no insignificant white space.
pub fn canonical_json(v: &Value, out: &mut String) {
    // serde_json writes UTF-8 only.
    out.push_str(&String::from_utf8_lossy(&canonical(v)));
}

/// [`canonical_json`] as bytes, each string, number and key written by serde_json itself (as `Value`'s own
/// `to_string` writes them) straight into `out`.
fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(k, out);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        other => write_scalar(other, out),
    }
}

fn write_scalar<T: Serialize + ?Sized>(v: &T, out: &mut Vec<u8>) {
    // Writing a string, a number, a boolean or null into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
}

impl AuditEvent {
    /// Seals `event` as number `seq` after the event whose hash is `prev_hash`.
    pub fn seal(event: NewEvent, seq: i64, at: DateTime<Utc>, prev_hash: &str) -> AuditEvent {
        let mut e = AuditEvent {
            seq,
            at: format_time(at),
            actor_id: event.actor_id,
            actor_name: event.actor_name,
            org_id: event.org_id,
            action: event.action,
            object_type: event.object_type,
            object_id: event.object_id,
            before: event.before,
            after: event.after,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
            rule: RULE,
            payload_hash: None,
        };
        e.payload_hash = Some(e.compute_payload_hash());
        e.hash = e.compute_hash();
        e
    }

    /// Who did what to which object, before and after: everything but the event's place in the chain.
    pub fn payload(&self) -> Value {
        json!({
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "org_id": self.org_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
        })
    }

    pub fn compute_payload_hash(&self) -> String {
        // The canonical form of `payload()`, written without copying the snapshots into a new value first: its
        // keys in sorted order.
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"{\"actor_id\":");
        write_scalar(&self.actor_id, &mut out);
        out.extend_from_slice(b",\"actor_name\":");
        write_scalar(&self.actor_name, &mut out);
        out.extend_from_slice(b",\"after\":");
        write_canonical(&self.after, &mut out);
        out.extend_from_slice(b",\"before\":");
        write_canonical(&self.before, &mut out);
        out.extend_from_slice(b",\"object_id\":");
        write_scalar(&self.object_id, &mut out);
        out.extend_from_slice(b",\"object_type\":");
        write_scalar(&self.object_type, &mut out);
        out.extend_from_slice(b",\"org_id\":");
        write_scalar(&self.org_id, &mut out);
        out.push(b'}');
        sha256_hex(&[&out])
    }

    /// The hash by the event's own rule. Rule 2 covers the stored payload hash, which [`Verifier`] checks
    /// against the payload separately.
    pub fn compute_hash(&self) -> String {
        if self.rule == 1 {
            return self.compute_hash_rule_one();
        }
        let skeleton = json!({
            "seq": self.seq,
            "at": self.at,
            "action": self.action,
            "payload_hash": self.payload_hash,
        });
        sha256_hex(&[self.prev_hash.as_bytes(), &canonical(&skeleton)])
    }

    /// Its place in the chain for anyone; the payload only when `payload` says the reader may read it, and the
    /// time and action unless `scope` keeps an old sealed record anonymous.
    pub fn public(&self, scope: &Scope, payload: bool) -> PublicEvent {
        let named = scope.shows_action();
        PublicEvent {
            seq: self.seq,
            at: named.then(|| self.at.clone()),
            action: named.then(|| self.action.clone()),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
            payload_hash: self.payload_hash.clone(),
            rule: self.rule,
            payload: payload.then(|| self.payload()),
        }
    }

    fn compute_hash_rule_one(&self) -> String {
        let body = serde_json::json!({
            "seq": self.seq,
            "at": self.at,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "org_id": self.org_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
        });
        sha256_hex(&[self.prev_hash.as_bytes(), &canonical(&body)])
    }
}

/// Where and why verification failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub seq: i64,
    pub reason: String,
}

/// A saved chain head: event number and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

impl Checkpoint {
    /// Parses `N:HASH`.
    pub fn parse(s: &str) -> Result<Checkpoint, String> {
        let (n, hash) = s.split_once(':').ok_or("checkpoint must look like N:HASH")?;
        let seq: i64 = n.trim().parse().map_err(|_| "checkpoint N must be a whole number".to_string())?;
        let hash = hash.trim().to_ascii_lowercase();
        if seq < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("checkpoint must be N:HASH with N ≥ 1 and a 64-character hex SHA-256".into());
        }
        Ok(Checkpoint { seq, hash })
    }
}

/// Streaming verifier: feed events in stored order, then call [`Verifier::finish`].
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    checkpoint: Option<Checkpoint>,
    checkpoint_seen: bool,
    /// Once an event of the new rule is seen, an event of an older rule can only be a forgery.
    rule: u8,
}

impl Verifier {
    pub fn new(checkpoint: Option<Checkpoint>) -> Verifier {
        Verifier { expected_seq: 1, prev_hash: GENESIS_HASH.to_string(), checkpoint, checkpoint_seen: false, rule: 1 }
    }

    pub fn feed(&mut self, e: &AuditEvent) -> Result<(), Broken> {
        let broken = |reason: String| Broken { seq: e.seq, reason };
        if e.seq != self.expected_seq {
            return Err(Broken {
                seq: self.expected_seq,
                reason: format!(
                    "expected event {} but found event {} (deleted or reordered)",
                    self.expected_seq, e.seq
                ),
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(broken("previous-hash link does not match the event before it".into()));
        }
        if !(1..=RULE).contains(&e.rule) || e.rule < self.rule {
            return Err(broken(format!("hash rule {} after rule {} (rewritten)", e.rule, self.rule)));
        }
        if e.rule >= 2 && e.payload_hash.as_deref() != Some(e.compute_payload_hash().as_str()) {
            return Err(broken("payload hash does not match the event's contents (edited)".into()));
        }
        if e.compute_hash() != e.hash {
            return Err(broken("stored hash does not match the event's contents (edited)".into()));
        }
        self.rule = e.rule;
        if let Some(cp) = &self.checkpoint {
            if cp.seq == e.seq {
                if cp.hash != e.hash {
                    return Err(broken("checkpoint hash differs from the stored chain (rewritten)".into()));
                }
                self.checkpoint_seen = true;
            }
        }
        self.prev_hash = e.hash.clone();
        self.expected_seq += 1;
        Ok(())
    }

    /// Number of events verified, or the checkpoint failure when the log ends before the checkpoint.
    pub fn finish(self) -> Result<i64, Broken> {
        let count = self.expected_seq - 1;
        if let Some(cp) = &self.checkpoint {
            if !self.checkpoint_seen {
                return Err(Broken {
                    seq: cp.seq,
                    reason: format!(
                        "checkpoint event {} is not in the chain, which has {count} events (truncated)",
                        cp.seq
                    ),
                });
            }
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|i| {
                let e = AuditEvent::seal(
                    NewEvent {
                        actor_id: Some(i),
                        actor_name: format!("user{i}"),
                        org_id: Some(1),
                        action: "project.create".into(),
                        object_type: "project".into(),
                        object_id: i.to_string(),
                        before: Value::Null,
                        after: json!({"status": "design", "b": 1, "a": [1, {"z": 2, "y": 3}]}),
                    },
                    i,
                    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, i as u32).unwrap(),
                    &prev,
                );
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(events: &[AuditEvent], cp: Option<Checkpoint>) -> Result<i64, Broken> {
        let mut v = Verifier::new(cp);
        for e in events {
            v.feed(e)?;
        }
        v.finish()
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5), None), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn canonical_form_sorts_keys() {
        let mut s = String::new();
        canonical_json(&json!({"b": 1, "a": {"d": [true, null], "c": "中"}}), &mut s);
        assert_eq!(s, r#"{"a":{"c":"中","d":[true,null]},"b":1}"#);
    }

    #[test]
    fn the_payload_hash_is_that_of_the_payloads_canonical_form() {
        let mut e = chain(3).remove(1);
        for (actor, org, name) in [(None, None, "system:gen"), (Some(7), Some(-3), "王\"五\"\n\\ 🙂")] {
            e.actor_id = actor;
            e.org_id = org;
            e.actor_name = name.into();
            e.object_id = "x\u{1}y".into();
            e.before = json!({"z": [1.5, -2, "é"], "a": {"c": null, "b": false}, "": "\t"});
            e.after = json!([{"b": 1, "a": 2}, "\u{7f}"]);
            let mut text = String::new();
            canonical_json(&e.payload(), &mut text);
            assert_eq!(e.compute_payload_hash(), sha256_hex(&[text.as_bytes()]), "{text}");
        }
    }

    #[test]
    fn edited_event_is_detected() {
        let mut c = chain(5);
        c[2].after = json!({"status": "completed"});
        assert_eq!(verify(&c, None).unwrap_err().seq, 3);
    }

    #[test]
    fn edited_and_rehashed_event_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].actor_name = "mallory".into();
        c[2].payload_hash = Some(c[2].compute_payload_hash());
        c[2].hash = c[2].compute_hash();
        let err = verify(&c, None).unwrap_err();
        assert_eq!(err.seq, 4);
        assert!(err.reason.contains("previous-hash"));
    }

    #[test]
    fn deleted_event_is_detected() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c, None).unwrap_err().seq, 2);
    }

    #[test]
    fn reordered_events_are_detected() {
        let mut c = chain(5);
        c.swap(1, 2);
        assert_eq!(verify(&c, None).unwrap_err().seq, 2);
    }

    #[test]
    fn checkpoint_catches_truncation_and_rewrite() {
        let c = chain(5);
        let cp = Checkpoint { seq: 4, hash: c[3].hash.clone() };
        assert_eq!(verify(&c, Some(cp.clone())), Ok(5));
        // Truncated: the last two events are gone, the remaining prefix is internally consistent.
        let err = verify(&c[..3], Some(cp.clone())).unwrap_err();
        assert_eq!(err.seq, 4);
        assert!(err.reason.contains("truncated"));
        // Rewritten: a whole new chain of the same length.
        let mut other = chain(5);
        other[0].actor_name = "x".into();
        let mut prev = GENESIS_HASH.to_string();
        for e in other.iter_mut() {
            e.prev_hash = prev.clone();
            e.payload_hash = Some(e.compute_payload_hash());
            e.hash = e.compute_hash();
            prev = e.hash.clone();
        }
        assert_eq!(verify(&other, Some(cp)).unwrap_err().seq, 4);
    }

    /// An event sealed by the old rule, as stored before the split.
    fn old(e: &AuditEvent, prev: &str) -> AuditEvent {
        let mut o = AuditEvent { rule: 1, payload_hash: None, prev_hash: prev.to_string(), ..e.clone() };
        o.hash = o.compute_hash();
        o
    }

    #[test]
    fn old_events_verify_by_the_old_rule_and_the_chain_goes_on_by_the_new() {
        let c = chain(4);
        let mut mixed = Vec::new();
        let mut prev = GENESIS_HASH.to_string();
        for e in &c[..2] {
            let o = old(e, &prev);
            prev = o.hash.clone();
            mixed.push(o);
        }
        for e in &c[2..] {
            let mut n = AuditEvent { prev_hash: prev.clone(), ..e.clone() };
            n.hash = n.compute_hash();
            prev = n.hash.clone();
            mixed.push(n);
        }
        assert_eq!(verify(&mixed, None), Ok(4));
        // Editing an old event is caught by the old rule.
        let mut edited = mixed.clone();
        edited[1].actor_name = "mallory".into();
        assert_eq!(verify(&edited, None).unwrap_err().seq, 2);
        // A new event passed off as an old one, to escape the payload check, is caught too.
        let mut downgraded = mixed.clone();
        downgraded[3] = old(&downgraded[3], &downgraded[2].hash);
        let err = verify(&downgraded, None).unwrap_err();
        assert_eq!(err.seq, 4);
        assert!(err.reason.contains("rule"), "{}", err.reason);
    }

    #[test]
    fn the_public_fields_alone_verify_the_chain() {
        let c = chain(3);
        for e in &c {
            let p = e.public(&Scope::System, false);
            assert!(p.payload.is_none() && p.action.is_some());
            let skeleton = json!({"seq": p.seq, "at": p.at, "action": p.action, "payload_hash": p.payload_hash});
            assert_eq!(sha256_hex(&[p.prev_hash.as_bytes(), &canonical(&skeleton)]), p.hash);
        }
        let p = c[0].public(&Scope::Public, true);
        assert_eq!(p.payload_hash.unwrap(), sha256_hex(&[&canonical(&p.payload.unwrap())]));
        let sealed = c[0].public(&Scope::Sealed, false);
        assert!(sealed.at.is_none() && sealed.action.is_none());
    }

    #[test]
    fn checkpoint_parsing() {
        assert!(Checkpoint::parse(&format!("3:{}", "a".repeat(64))).is_ok());
        assert!(Checkpoint::parse("3").is_err());
        assert!(Checkpoint::parse("0:abc").is_err());
        assert!(Checkpoint::parse(&format!("x:{}", "a".repeat(64))).is_err());
    }
}
