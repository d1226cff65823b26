-- A batch (the generator) numbers the procurements it makes at once but writes their rows, bids and sealed records
-- when it commits, after rows that refer to them (a notice, a duty): as with projects (migration 31), it checks
-- those references at its commit. Every other transaction still checks each at its statement.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conrelid::regclass AS tab, conname FROM pg_constraint
             WHERE contype = 'f' AND confrelid = 'procurements'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I DEFERRABLE INITIALLY IMMEDIATE', c.tab, c.conname);
    END LOOP;
END $$;
