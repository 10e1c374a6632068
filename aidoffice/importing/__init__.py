"""Files in: readers for the spreadsheets the office receives, cleaning rules, header recognition."""
