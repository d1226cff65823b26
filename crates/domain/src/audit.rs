//! The tamper-evident audit log: every event's hash covers the previous hash and a canonical encoding of
//! the event, so editing, deleting or reordering any stored event breaks every hash after it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
}

pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// JSON with object keys sorted at every level and no insignificant white space.
pub fn canonical_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                canonical_json(&map[*k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
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
        };
        e.hash = e.compute_hash();
        e
    }

    pub fn compute_hash(&self) -> String {
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
        let mut canonical = String::new();
        canonical_json(&body, &mut canonical);
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        h.update(canonical.as_bytes());
        hex::encode(h.finalize())
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
}

impl Verifier {
    pub fn new(checkpoint: Option<Checkpoint>) -> Verifier {
        Verifier { expected_seq: 1, prev_hash: GENESIS_HASH.to_string(), checkpoint, checkpoint_seen: false }
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
        if e.compute_hash() != e.hash {
            return Err(broken("stored hash does not match the event's contents (edited)".into()));
        }
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
    fn edited_event_is_detected() {
        let mut c = chain(5);
        c[2].after = json!({"status": "completed"});
        assert_eq!(verify(&c, None).unwrap_err().seq, 3);
    }

    #[test]
    fn edited_and_rehashed_event_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].actor_name = "mallory".into();
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
            e.hash = e.compute_hash();
            prev = e.hash.clone();
        }
        assert_eq!(verify(&other, Some(cp)).unwrap_err().seq, 4);
    }

    #[test]
    fn checkpoint_parsing() {
        assert!(Checkpoint::parse(&format!("3:{}", "a".repeat(64))).is_ok());
        assert!(Checkpoint::parse("3").is_err());
        assert!(Checkpoint::parse("0:abc").is_err());
        assert!(Checkpoint::parse(&format!("x:{}", "a".repeat(64))).is_err());
    }
}
