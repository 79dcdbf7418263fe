"""hardenlint: a container hardening linter for Dockerfiles, Compose files and Kubernetes manifests."""

__version__ = "0.1.0"
