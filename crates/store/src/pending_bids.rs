//! The procurements a batch ([`crate::bulk`]) made, with their bids and sealed records: written when the batch
//! commits (on PostgreSQL the procurement's row too, numbered when made), since nothing outside the batch can see
//! them before and every statement is a round trip. A generated open tender took a dozen statements (its row; each
//! bid's update, insert and sealed record; the opening's read and delete of those records), a third of the
//! generator's.

use std::collections::{BTreeMap, HashMap};

use sqlx::AnyConnection;

use crate::error::Result;
use crate::listing::Arg;
use crate::rows::insert_rows;

/// One bid as its row in `bids` holds it.
#[derive(Debug, Clone)]
pub(crate) struct HeldBid {
    pub(crate) id: i64,
    pub(crate) sealed: String,
    pub(crate) receipt: String,
    pub(crate) withdrawn: bool,
    pub(crate) submitted_at: String,
}

/// What a batch holds of the procurements it made, besides their records (kept with the other procurements').
#[derive(Default)]
pub(crate) struct PendingBids {
    /// Each made procurement's bid key, wrapped with the master key as its row stores it.
    wrapped: HashMap<i64, String>,
    /// By (procurement, round, bidder tag).
    bids: BTreeMap<(i64, i64, String), HeldBid>,
    /// Sealed records not entered in the chain yet, by procurement, in the order they happened.
    sealed: BTreeMap<i64, Vec<String>>,
}

impl PendingBids {
    /// Takes procurement `id`, made by the batch, with its wrapped bid key.
    pub(crate) fn made(&mut self, id: i64, wrapped: String) {
        self.wrapped.insert(id, wrapped);
    }

    /// Whether the batch made procurement `id`.
    pub(crate) fn holds(&self, id: i64) -> bool {
        self.wrapped.contains_key(&id)
    }

    /// Takes a bid, replacing the bidder's earlier one in the round (which keeps its id), as `submit_bid` does.
    pub(crate) fn submit(&mut self, key: (i64, i64, String), new_id: i64, sealed: String, receipt: String, at: String) {
        let id = self.bids.get(&key).map_or(new_id, |b| b.id);
        self.bids.insert(key, HeldBid { id, sealed, receipt, withdrawn: false, submitted_at: at });
    }

    /// The bidder's standing bid in the round, if any.
    pub(crate) fn standing(&self, key: &(i64, i64, String)) -> Option<&HeldBid> {
        self.bids.get(key).filter(|b| !b.withdrawn)
    }

    /// Withdraws the bidder's standing bid, as of `at`.
    pub(crate) fn withdraw(&mut self, key: &(i64, i64, String), at: String) {
        if let Some(b) = self.bids.get_mut(key) {
            b.withdrawn = true;
            b.submitted_at = at;
        }
    }

    /// The round's standing bids, by id (the order `unsealed` reads them in).
    pub(crate) fn standing_in(&self, procurement_id: i64, round: i64) -> Vec<HeldBid> {
        let mut bids: Vec<HeldBid> = self
            .bids
            .iter()
            .filter(|((p, r, _), b)| *p == procurement_id && *r == round && !b.withdrawn)
            .map(|(_, b)| b.clone())
            .collect();
        bids.sort_by_key(|b| b.id);
        bids
    }

    /// Keeps a sealed record out of the chain until the opening.
    pub(crate) fn defer(&mut self, procurement_id: i64, sealed: String) {
        self.sealed.entry(procurement_id).or_default().push(sealed);
    }

    /// The procurement's sealed records, in order, for the chain: none is kept after.
    pub(crate) fn take_sealed(&mut self, procurement_id: i64) -> Vec<String> {
        self.sealed.remove(&procurement_id).unwrap_or_default()
    }

    /// The wrapped bid key of a procurement the batch made.
    pub(crate) fn wrapped(&self, id: i64) -> Option<&str> {
        self.wrapped.get(&id).map(String::as_str)
    }

    /// Writes the bids and the sealed records still waiting for an opening, in the batch's transaction as it
    /// commits (the procurements' rows are their owner's: [`crate::procure::write_pending`]).
    pub(crate) async fn write(self, conn: &mut AnyConnection) -> Result<()> {
        let bids = self
            .bids
            .into_iter()
            .map(|((procurement, round, tag), b)| {
                vec![
                    Arg::Int(b.id),
                    Arg::Int(procurement),
                    Arg::Int(round),
                    Arg::Text(tag),
                    Arg::Text(b.sealed),
                    Arg::Text(b.receipt),
                    Arg::Int(i64::from(b.withdrawn)),
                    Arg::Text(b.submitted_at),
                ]
            })
            .collect();
        insert_rows(
            conn,
            "INSERT INTO bids (id, procurement_id, round, bidder_tag, sealed, receipt, withdrawn, submitted_at)",
            "",
            bids,
        )
        .await?;
        let sealed = self
            .sealed
            .into_iter()
            .flat_map(|(p, records)| records.into_iter().map(move |s| vec![Arg::Int(p), Arg::Text(s)]))
            .collect();
        insert_rows(conn, "INSERT INTO sealed_events (procurement_id, sealed)", "", sealed).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(tag: &str) -> (i64, i64, String) {
        (7, 0, tag.to_string())
    }

    #[test]
    fn a_resubmitted_bid_keeps_its_id_and_a_withdrawn_one_is_not_standing() {
        let mut held = PendingBids::default();
        held.made(7, "wrapped".into());
        held.submit(key("a"), 30, "s1".into(), "r1".into(), "t1".into());
        held.submit(key("b"), 10, "s2".into(), "r2".into(), "t2".into());
        held.submit(key("a"), 99, "s3".into(), "r3".into(), "t3".into());
        let standing = held.standing_in(7, 0);
        assert_eq!(standing.iter().map(|b| (b.id, b.sealed.as_str())).collect::<Vec<_>>(), [(10, "s2"), (30, "s3")]);
        held.withdraw(&key("b"), "t4".into());
        assert!(held.standing(&key("b")).is_none());
        assert_eq!(held.standing_in(7, 0).len(), 1);
        assert!(held.standing_in(7, 1).is_empty());
        assert!(held.holds(7) && !held.holds(8));
    }

    #[test]
    fn sealed_records_come_back_once_in_order() {
        let mut held = PendingBids::default();
        held.defer(7, "first".into());
        held.defer(8, "other".into());
        held.defer(7, "second".into());
        assert_eq!(held.take_sealed(7), ["first", "second"]);
        assert!(held.take_sealed(7).is_empty());
        assert_eq!(held.take_sealed(8), ["other"]);
    }
}
