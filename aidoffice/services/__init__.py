"""Use cases that span features (a slip registered and the problem list kept in step; a need raised on a visit made a problem)."""
