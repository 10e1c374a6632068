"""The two ledgers: students by enrollment (学籍台账) and households by village (户籍台账)."""
