-- The welfare-lottery warnings (commitments outside social work) of a year for the whole platform, newest first,
-- and their count, from the index alone: by category and year, then project, with the amount beside it. The index
-- by kind, category and year found a year's rows in a category but fetched each from the table to order them by
-- project (a million projects: 5,380 rows fetched for the first twenty, 16 ms).
-- A load cut short may have put the old one off; it is made here as it now is.
DELETE FROM deferred_indexes WHERE name = 'statistics_rows_lottery';
DROP INDEX IF EXISTS statistics_rows_lottery;
CREATE INDEX statistics_rows_lottery ON statistics_rows (key, year, project_id) INCLUDE (amount_fen) WHERE kind = 'lottery';
