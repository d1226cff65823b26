-- A project's welfare-lottery row counts it once (`projects` = 1; it was 0), so that the platform's totals hold the
-- number of warnings of each category and year beside their money, and the whole platform's warnings are counted
-- from a row per category and year instead of one by one. The totals are summed again from the rows.
UPDATE statistics_rows SET projects = 1 WHERE kind = 'lottery';
UPDATE statistics_totals SET projects = (
    SELECT COUNT(*) FROM statistics_rows s
    WHERE s.kind = 'lottery' AND s.year = statistics_totals.year AND s.key = statistics_totals.key
) WHERE kind = 'lottery';
UPDATE statistics_place_totals SET projects = (
    SELECT COUNT(*) FROM statistics_place_lottery s
    WHERE s.code = statistics_place_totals.code AND s.year = statistics_place_totals.year
      AND s.key = statistics_place_totals.key
) WHERE kind = 'lottery';
