"""Roles and permission checks (who may do what, and which classes they see), below every feature."""
