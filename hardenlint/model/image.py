"""Image references (`[registry/]repository[:tag][@digest]`), parsed as Docker does."""
from __future__ import annotations

from .. import lazyre
from .record import record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

DOCKER_HUB = "docker.io"
_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
_DIGEST = lazyre.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


@record(frozen=True)
class ImageRef:
    """A parsed image reference.

    `registry` is the host as written, or `docker.io` when none is written; `repository` is the
    path without registry, tag or digest (`library/` is not added: `nginx` stays `nginx`).
    `variable` is True when the text still holds an unresolved `$VAR`, in which case no rule
    should judge it.
    """

    raw: str
    registry: str
    repository: str
    tag: Optional[str]
    digest: Optional[str]
    explicit_registry: bool = False
    variable: bool = False

    @property
    def is_scratch(self) -> bool:
        return self.repository == "scratch" and not self.explicit_registry

    @property
    def is_docker_hub(self) -> bool:
        return self.registry in _HUB_ALIASES

    @property
    def name(self) -> str:
        """Repository without a Docker Hub `library/` prefix: `library/python` -> `python`."""
        repo = self.repository
        if self.is_docker_hub and repo.startswith("library/"):
            return repo[len("library/"):]
        return repo

    @property
    def base_name(self) -> str:
        """Last path component: `ghcr.io/org/app` -> `app`."""
        return self.repository.rsplit("/", 1)[-1]


def parse_image(text: str) -> Optional[ImageRef]:
    """Parse an image reference; None when it is not one (empty or malformed).

    Separators inside `${...}` (as in `img:${TAG:-1}` or `${REG}/app`) are not separators.
    """
    raw = text.strip()
    if not raw or len(raw.split(None, 1)) > 1:  # empty, or whitespace inside
        return None
    variable = "$" in raw or "{{" in raw
    masked = _mask_braces(raw)
    name_end = masked.find("@")
    digest = None
    if name_end != -1:
        digest = raw[name_end + 1:]
        if not digest or (not variable and not _DIGEST.match(digest)):
            return None
    else:
        name_end = len(raw)
    rest, mrest = raw[:name_end], masked[:name_end]
    registry, explicit = DOCKER_HUB, False
    slash = mrest.find("/")
    if slash != -1:
        first = mrest[:slash]
        if "." in first or ":" in first or first == "localhost" or first.startswith("$"):
            registry, explicit = (raw[:slash] if "$" in first else raw[:slash].lower()), True
            rest, mrest = rest[slash + 1:], mrest[slash + 1:]
    tag = None
    colon = mrest.rfind(":")
    if colon > mrest.rfind("/"):
        rest, tag = rest[:colon], rest[colon + 1:]
        if not tag:
            return None
    if not rest:
        return None
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
    return ImageRef(raw, registry, rest, tag, digest, explicit, variable)


def _mask_braces(text: str) -> str:
    """`text` with everything inside `${...}` replaced by `_` (same length)."""
    if "${" not in text:
        return text
    out, depth = [], 0
    i = 0
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            out.append("$_")
            i += 2
            continue
        c = text[i]
        if depth and c == "}":
            depth -= 1
            out.append("}")
        else:
            out.append("_" if depth else c)
        i += 1
    return "".join(out)
