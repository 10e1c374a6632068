"""Workbooks out: the ledgers, county rosters, consolidation."""
