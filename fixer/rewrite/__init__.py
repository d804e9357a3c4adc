"""Builders of the rewrites rules offer, one concern each: the CST that replaces a finding's span."""
