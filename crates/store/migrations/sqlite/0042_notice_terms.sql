-- Search by words (issue 10): every two neighbouring characters of a notice's title (ASCII folded to lower case,
-- none holding a space), each a row beside the notice's id, so that `/notices?q=养老` seeks the newest notices holding
-- every term of the query instead of reading every title. Written with the notice, in its transaction
-- (`shanzhi_domain::search::bigrams`); filled here for the notices already published. No foreign key: notices are
-- never deleted, and its index would double the table.
CREATE TABLE notice_terms (
    term TEXT NOT NULL,
    notice_id INTEGER NOT NULL,
    PRIMARY KEY (term, notice_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO notice_terms (term, notice_id)
WITH RECURSIVE at(id, t, i) AS (
    SELECT id, lower(title), 1 FROM notices WHERE length(title) >= 2
    UNION ALL
    SELECT id, t, i + 1 FROM at WHERE i < length(t) - 1
)
SELECT substr(t, i, 2), id FROM at WHERE instr(substr(t, i, 2), ' ') = 0 AND instr(substr(t, i, 2), '　') = 0;
