-- A place's welfare-lottery warnings of a year, newest first, from the index alone: by place, year and category,
-- then project, with the amount beside it. The index by place and year walked the year's rows of every category
-- backwards, fetching each from the table to test its category, until it had the page's twenty (a million-project
-- province: about 150 rows, 1 ms, for each region's figures under load; with it 0.06 ms). The counts per year read
-- the same index.
-- A load cut short may have put the old one off; it is made here as it now is.
DELETE FROM deferred_indexes WHERE name = 'statistics_place_lottery_key';
DROP INDEX IF EXISTS statistics_place_lottery_key;
CREATE INDEX statistics_place_lottery_key ON statistics_place_lottery (code, year, key, project_id) INCLUDE (amount_fen);
