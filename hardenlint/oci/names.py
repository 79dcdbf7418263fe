"""Where an image reference lives: the registry host to talk to and the repository path.

Docker Hub is `docker.io` in references and `registry-1.docker.io` on the wire, and its official
images live under `library/` (`nginx` is `library/nginx`).
"""
from __future__ import annotations

from typing import NamedTuple, Tuple

from ..model.image import ImageRef

HUB_API_HOST = "registry-1.docker.io"


class Repo(NamedTuple):
    """A repository on a registry: `host` as it is contacted (with its port), `path` on it."""

    host: str
    path: str

    def __str__(self) -> str:
        return f"{self.host}/{self.path}"


def repo_of(ref: ImageRef) -> Repo:
    """The registry host and repository path a reference is pulled from."""
    if ref.is_docker_hub:
        path = ref.repository if "/" in ref.repository else f"library/{ref.repository}"
        return Repo(HUB_API_HOST, path)
    return Repo(ref.registry, ref.repository)


def host_port(host: str, default: int) -> Tuple[str, int]:
    """`localhost:5000` -> ("localhost", 5000); `[::1]:5000` -> ("::1", 5000)."""
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[1:end], host[end + 1:]
        return name, int(rest[1:]) if rest.startswith(":") else default
    if host.count(":") == 1:
        name, port = host.split(":")
        return name, int(port) if port.isdigit() else default
    return host, default


def config_keys(host: str) -> Tuple[str, ...]:
    """The keys a Docker config may use for this registry host, best first."""
    if host == HUB_API_HOST:
        return ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")
    return (host, f"https://{host}", f"http://{host}", f"https://{host}/v1/", f"https://{host}/v2/")
