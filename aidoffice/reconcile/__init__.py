"""The two-way comparison (双向比对) and the problem list (问题清单).

- `sources`: the records of every source (school ledger, household ledger, the latest snapshot of each
  outside list, the term's awards), read once as plain tuples.
- `matching`: people across sources by ID number, then suspected typos by blocking keys, name
  mismatches, duplicate IDs, students without an ID.
- `aid`: eligibility for the term through `aidoffice.domain.policies.eligible` (missed aid, aid
  without basis, the county auditor's checks) and the coverage rows the statistics count.
- `coverage`: school-age children of the villages served who are in no ledger (需核实去向).
- `compare`: all of the above in one read-only pass → `Comparison`.
- `problems`: the problem list: findings kept across re-runs, taken, noted, closed, fixed.
- `statistics`, `workbook`, `service` (`run_reconcile`: compare, update the problem list, write the
  workbook, in that order inside the caller's transaction)."""
