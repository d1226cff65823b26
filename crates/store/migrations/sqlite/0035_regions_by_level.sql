-- The regions of one level in code order (the statistics' townships, a page at a time): a province has 2,500
-- places, which the townships' list otherwise walked in full to find its 600 townships.
CREATE INDEX regions_level ON regions (level, code);
