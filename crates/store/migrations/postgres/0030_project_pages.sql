-- Most of a project's writes (a report, an acceptance, a payment) change no indexed column. PostgreSQL can then
-- write the new row version beside the old one on the same page and leave the table's dozen indexes untouched (a
-- HOT update), but only while the page has room: full pages, the default, force every such update to insert into
-- every index. Room is kept on pages written from now on; a database that has grown gets it back at its next
-- VACUUM FULL or CLUSTER. The record's JSON, several kilobytes and rewritten by each such update, is compressed with
-- lz4, which costs a fraction of the default pglz's time.
ALTER TABLE projects SET (fillfactor = 80);
ALTER TABLE projects ALTER COLUMN data SET COMPRESSION lz4;
ALTER TABLE procurements SET (fillfactor = 80);
ALTER TABLE procurements ALTER COLUMN data SET COMPRESSION lz4;
