-- The sector overview groups graded projects by category and grade. Led by `graded_on`, the partial index of
-- migration 46 lost to a walk of every project in category order (0.29 s at 100,000 projects); this one is in
-- the grouping's own order and holds the total, so only the graded projects are read.
CREATE INDEX projects_graded_categories ON projects(category, grade, score) WHERE graded_on IS NOT NULL;
