//! The organisations a release names, each once with every role it plays. Only organisations appear: a party's
//! name and its id on the platform, never a person or a contact.

use serde_json::{json, Value};
use shanzhi_domain::project::PublicProject;

/// A party's id: the organisation's id on the platform, or — for a notice published before notices carried ids —
/// its name.
pub(super) fn party_id(org_id: Option<i64>, name: &str) -> String {
    match org_id {
        Some(id) => format!("org-{id}"),
        None => format!("name-{name}"),
    }
}

/// An organisation reference (`{id, name}`).
pub(super) fn reference(org_id: Option<i64>, name: &str) -> Value {
    json!({"id": party_id(org_id, name), "name": name})
}

pub(super) fn buyer(p: &PublicProject) -> Value {
    reference(Some(p.purchaser_org_id), &p.purchaser)
}

#[derive(Default)]
pub(super) struct Parties {
    /// (id, name, roles), in the order first named.
    list: Vec<(String, String, Vec<&'static str>)>,
}

impl Parties {
    pub(super) fn add(&mut self, org_id: Option<i64>, name: &str, roles: &[&'static str]) {
        let id = party_id(org_id, name);
        let at = match self.list.iter().position(|(i, _, _)| *i == id) {
            Some(at) => at,
            None => {
                self.list.push((id, name.to_string(), Vec::new()));
                self.list.len() - 1
            }
        };
        let have = &mut self.list[at].2;
        for r in roles {
            if !have.contains(r) {
                have.push(r);
            }
        }
    }

    /// The purchaser buys, runs the procurement (a purchasing department may entrust an agency, which the
    /// notices do not name) and pays.
    pub(super) fn add_buyer(&mut self, p: &PublicProject) {
        self.add(Some(p.purchaser_org_id), &p.purchaser, &["buyer", "procuringEntity", "payer"]);
    }

    pub(super) fn into_value(self) -> Value {
        Value::Array(
            self.list.into_iter().map(|(id, name, roles)| json!({"id": id, "name": name, "roles": roles})).collect(),
        )
    }
}
