"""The registry resolver (`--resolve` only): an OCI Distribution (v2) client, the Docker
credentials it reads, an on-disk cache, and the run-wide resolution of image references.

Nothing outside `--resolve` imports this package, so a run without it makes no connection.
"""
