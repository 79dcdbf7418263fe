"""Checks, one module per rule family and file kind."""
