-- A place's children, for the place chooser of the list pages: read by parent, not by walking every place of the
-- province.
CREATE INDEX regions_parent ON regions (parent, code);
