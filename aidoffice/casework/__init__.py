"""Casework: dropout cases (控辍保学 一人一案) — `cases` (the writes), `case_queries` (what the pages
and the command line read), `dropout_ledgers` (the three ledgers counties keep); contact duties and
home visits (三包/家访): `duties` (who covers which village, household or student) and `visits` (the
contacts recorded and the month's households nobody reached)."""
