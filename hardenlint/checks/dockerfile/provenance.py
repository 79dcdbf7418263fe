"""Checks: placeholder until the rules land."""
