-- The shape a project's record was written in (`projects::RECORD_SHAPE`; 0: before this column). A record in the
-- current shape is what the API answers for it, byte for byte, so one project is read without decoding and encoding
-- its record; an older one may lack fields added since and is decoded. Added after the record, where only the read
-- that also takes the record reads it.
ALTER TABLE projects ADD COLUMN shape INTEGER NOT NULL DEFAULT 0;
