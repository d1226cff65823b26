-- A batch (the generator) numbers the projects it makes at once but writes their rows when it commits, after
-- rows that refer to them: it checks those references at its commit (SET CONSTRAINTS ALL DEFERRED). Every other
-- transaction still checks each at its statement (INITIALLY IMMEDIATE).
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conrelid::regclass AS tab, conname FROM pg_constraint
             WHERE contype = 'f' AND confrelid = 'projects'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I DEFERRABLE INITIALLY IMMEDIATE', c.tab, c.conname);
    END LOOP;
END $$;
