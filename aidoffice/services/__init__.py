"""Use cases that span features (a slip registered and the problem list kept in step …)."""
