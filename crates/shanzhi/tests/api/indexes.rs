//! Every foreign key of a table that grows with the projects has an index led by its column: the write paths
//! replace and find rows by their parent (a project's places, a notice's places, a procurement's notices), and an
//! unindexed key makes each such statement walk the whole table — a province then slows with every project
//! stored. Keys of the reference tables (places, organisations, people, catalogue, budget lines), whose rows
//! number in the thousands and whose parents are never deleted, are listed here with that reason.

use crate::both_backends;
use crate::helpers::*;

/// (table, column) pairs allowed without an index of their own, and why.
const UNINDEXED: &[(&str, &str, &str)] = &[
    ("organisations", "verified_by", "reference table"),
    ("organisations", "parent_id", "reference table"),
    ("organisations", "region", "reference table"),
    ("users", "supervisor_region", "reference table"),
    ("users", "org_id", "reference table"),
    ("catalogue", "parent", "reference table"),
    ("experts", "org_id", "reference table"),
    ("fiscal_years", "closed_by", "reference table"),
    ("budgets", "granted_from", "reference table"),
    ("files", "uploaded_by", "files are found by id; no user is deleted"),
    ("files", "owner_org_id", "files are found by id; no organisation is deleted"),
    ("overdue_duties", "marked_by_run", "duties are found by procurement; no run is deleted"),
    ("statistics_ledger", "budget_id", "read with project_id, the key's first column"),
    ("statistics_ledger_places", "budget_id", "read with code, the key's first column; no budget line is deleted"),
];

const SQLITE: &str = "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
    WHERE m.type = 'table' \
    AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.name) il, pragma_index_info(il.name) ii \
                    WHERE ii.seqno = 0 AND ii.name = f.\"from\") \
    AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) ti WHERE ti.pk = 1 AND ti.name = f.\"from\") \
    ORDER BY 1, 2";

const POSTGRES: &str = "SELECT CAST(c.conrelid::regclass AS TEXT), CAST(a.attname AS TEXT) FROM pg_constraint c \
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
    WHERE c.contype = 'f' AND c.connamespace = CAST(current_schema() AS regnamespace) \
    AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]) \
    ORDER BY 1, 2";

/// Every primary key by its table and definition, on PostgreSQL; none on SQLite, where a key is its table's own.
async fn primary_keys(app: &TestApp) -> Vec<String> {
    if app.store.backend() == shanzhi_store::Backend::Sqlite {
        return Vec::new();
    }
    let sql = "SELECT CAST(conrelid AS regclass)::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
               WHERE contype = 'p' AND connamespace = current_schema()::regnamespace ORDER BY 1";
    sqlx::query_scalar(sql).fetch_all(app.store.pool()).await.unwrap()
}

both_backends! {
    async fn every_foreign_key_of_a_growing_table_is_indexed(backend) {
        let app = TestApp::empty(backend).await;
        let sql = match backend {
            shanzhi_store::Backend::Sqlite => SQLITE,
            shanzhi_store::Backend::Postgres => POSTGRES,
        };
        let found: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(app.store.pool()).await.unwrap();
        assert!(!found.is_empty(), "the query finds the reference tables' keys");
        let unexpected: Vec<_> = found
            .iter()
            .filter(|(t, c)| !UNINDEXED.iter().any(|(ut, uc, _)| ut == t && uc == c))
            .collect();
        assert!(unexpected.is_empty(), "foreign keys without an index: {unexpected:?}");
    }

    async fn a_bulk_load_cut_short_gets_its_list_indexes_back_when_the_store_is_next_opened(backend) {
        let app = TestApp::empty(backend).await;
        let all = app.store.index_definitions().await.unwrap();
        let keys = primary_keys(&app).await;
        let dropped = app.store.defer_list_indexes().await.unwrap();
        assert!(dropped >= 30, "{dropped} list indexes");
        // On PostgreSQL the notices' search terms go without their key too.
        let keys_during = primary_keys(&app).await;
        let gone: Vec<&String> = keys.iter().filter(|k| !keys_during.contains(k)).collect();
        match backend {
            shanzhi_store::Backend::Sqlite => assert!(gone.is_empty(), "{gone:?}"),
            shanzhi_store::Backend::Postgres => {
                assert_eq!(gone, [&"notice_terms PRIMARY KEY (term, notice_id)".to_string()]);
            }
        }
        assert_eq!(app.store.index_definitions().await.unwrap().len(), all.len() - dropped + gone.len());
        // The load dies here: the next server to open the store makes them again, as they were.
        let again = app.another_server().await;
        assert_eq!(again.store.index_definitions().await.unwrap(), all);
        assert_eq!(primary_keys(&again).await, keys);
        assert_eq!(again.store.restore_list_indexes().await.unwrap(), 0, "nothing left to make");
    }
}
