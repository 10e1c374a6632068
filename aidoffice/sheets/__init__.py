"""Spreadsheet I/O every feature uses: reading files, recognising headers, cleaning cells, writing cells
and standard workbooks, and moving rows in a template."""
