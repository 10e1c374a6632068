"""Pure rules of the domain: ID numbers, terms, grades, money, pinyin keys. No database, no Qt."""
