-- The shape a project's record was written in (`projects::RECORD_SHAPE`; 0: before this column). A record in the
-- current shape is what the API answers for it, byte for byte, so one project is read without decoding and encoding
-- its record; an older one may lack fields added since and is decoded.
ALTER TABLE projects ADD COLUMN shape BIGINT NOT NULL DEFAULT 0;
