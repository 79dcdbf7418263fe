"""Dockerfile checks."""
