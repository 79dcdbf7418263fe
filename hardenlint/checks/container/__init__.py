"""Compose and Kubernetes checks, written once against the container view."""
