-- What lists and work queues filter procurements on (`Procurement::facts`), kept with the record in the same
-- transaction; filled for existing procurements by the store on migration (region '' marks a row not yet filled).
ALTER TABLE procurements ADD COLUMN region TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE procurements ADD COLUMN method TEXT NOT NULL DEFAULT '';
ALTER TABLE procurements ADD COLUMN switch_requested BIGINT NOT NULL DEFAULT 0;
-- Holders of the procurement's pending duties (`holder_bit`): the work queue's first cut.
ALTER TABLE procurements ADD COLUMN awaits BIGINT NOT NULL DEFAULT 0;
-- Committee members, one row each: what a member sees and works on.
CREATE TABLE procurement_members (
    user_id BIGINT NOT NULL REFERENCES users(id),
    procurement_id BIGINT NOT NULL REFERENCES procurements(id),
    PRIMARY KEY (user_id, procurement_id)
);
CREATE INDEX procurement_members_procurement ON procurement_members(procurement_id);
CREATE INDEX procurements_stage ON procurements(stage, id);
CREATE INDEX procurements_method ON procurements(method, id);
CREATE INDEX procurements_region ON procurements(region, id);
CREATE INDEX procurements_agency ON procurements(agency_org_id, id) WHERE agency_org_id IS NOT NULL;
CREATE INDEX procurements_switch ON procurements(id) WHERE switch_requested = 1;
CREATE INDEX procurements_awaiting ON procurements(id) WHERE awaits <> 0;
CREATE INDEX procurements_unfilled ON procurements(id) WHERE region = '';
