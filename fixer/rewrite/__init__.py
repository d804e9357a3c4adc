"""Builders of the rewrites a rule offers: one concern each, pure functions of CST nodes."""
