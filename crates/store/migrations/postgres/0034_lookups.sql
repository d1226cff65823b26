-- Which catalogue codes each expert covers, one row each, so that a committee draw reads only the experts who
-- may sit for its category (an expert covers a category that begins with one of theirs) instead of the whole
-- pool. Kept in the same transaction as the expert's row; `experts.categories` stays the record.
CREATE TABLE expert_categories (
    category TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES experts(user_id),
    PRIMARY KEY (category, user_id)
);
CREATE INDEX expert_categories_user ON expert_categories (user_id);
INSERT INTO expert_categories (category, user_id)
    SELECT DISTINCT j, e.user_id FROM experts e, jsonb_array_elements_text(e.categories::jsonb) j WHERE j <> '';
-- An organisation chooser offers a place's organisations (a county and what lies under it): found by this
-- index's range, in byte order whatever the database's collation, rather than by reading every organisation.
CREATE INDEX organisations_region ON organisations ((region COLLATE "C"), id);
-- Civil affairs reads the registrations a page at a time by state, newest first.
CREATE INDEX organisations_registered ON organisations (verification, id) WHERE registered_at IS NOT NULL;
-- Applications for another method are listed a page at a time in SQL: a department's own by this column, kept
-- with the record (filled here from the stored applications).
ALTER TABLE method_approvals ADD COLUMN purchaser_org_id BIGINT NOT NULL DEFAULT 0;
UPDATE method_approvals SET purchaser_org_id = CAST(data::jsonb->>'purchaser_org_id' AS BIGINT);
CREATE INDEX method_approvals_purchaser ON method_approvals (purchaser_org_id, id);
