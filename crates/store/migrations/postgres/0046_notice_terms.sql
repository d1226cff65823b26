-- Search by words (issue 10): every two neighbouring characters of a notice's title (ASCII folded to lower case —
-- `lower` under the C collation folds nothing else, as SQLite's — none holding a space), each a row beside the
-- notice's id, so that `/notices?q=养老` seeks the newest notices holding every term of the query instead of reading
-- every title. Written with the notice, in its transaction (`shanzhi_domain::search::bigrams`); filled here for the
-- notices already published. No foreign key: notices are never deleted, and its index would double the table.
CREATE TABLE notice_terms (
    term TEXT COLLATE "C" NOT NULL,
    notice_id BIGINT NOT NULL,
    PRIMARY KEY (term, notice_id)
);
INSERT INTO notice_terms (term, notice_id)
SELECT DISTINCT substr(n.t, i, 2), n.id
FROM (SELECT id, lower(title COLLATE "C") AS t FROM notices) n, generate_series(1, char_length(n.t) - 1) AS i
WHERE strpos(substr(n.t, i, 2), ' ') = 0 AND strpos(substr(n.t, i, 2), '　') = 0
ON CONFLICT DO NOTHING;
