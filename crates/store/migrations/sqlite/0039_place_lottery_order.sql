-- A place's welfare-lottery warnings of a year, newest first, from the index alone: by place, year and category,
-- then project, with the amount beside it (PostgreSQL's migration 43 says why). The counts per year read the same
-- index.
-- A load cut short may have put the old one off; it is made here as it now is.
DELETE FROM deferred_indexes WHERE name = 'statistics_place_lottery_key';
DROP INDEX IF EXISTS statistics_place_lottery_key;
CREATE INDEX statistics_place_lottery_key ON statistics_place_lottery (code, year, key, project_id, amount_fen);
