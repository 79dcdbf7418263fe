"""Judgements on image references (HL101-HL104, HL201), shared by the Dockerfile, compose and
Kubernetes checks. Pure functions of an `ImageRef`; the caller decides what is an image (stage
aliases are the Dockerfile check's business) and where to report.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache

from ..model.image import DOCKER_HUB, ImageRef

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Tuple

_HUB_HOSTS = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com"}
# Registries that mirror Docker Hub's official images under a fixed path.
_LIBRARY_MIRRORS = {"public.ecr.aws": "docker/library/", "mirror.gcr.io": "library/"}
_WINDOWS = ("windowsservercore", "nanoserver")
DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")


def _judged(ref: ImageRef) -> bool:
    """False for references no image rule judges: `scratch` and unresolved variables."""
    return not (ref.variable or ref.is_scratch)


def image_key(ref: ImageRef) -> str:
    """Name used to look an image up in the knowledge files.

    Docker Hub official images (and mirrors of them) by bare name, `python`; other Docker Hub
    images as `owner/name`; everything else as `registry/repository`.
    """
    if ref.is_docker_hub:
        return ref.name
    prefix = _LIBRARY_MIRRORS.get(ref.registry)
    if prefix and ref.repository.startswith(prefix) and "/" not in ref.repository[len(prefix):]:
        return ref.repository[len(prefix):]
    return f"{ref.registry}/{ref.repository}"


def missing_tag(ref: ImageRef) -> Optional[str]:
    """HL101: no tag and no digest, so the reference means a moving `latest`."""
    if not _judged(ref) or ref.tag or ref.digest:
        return None
    return (f"image `{ref.raw}` has no tag, so it pulls whatever `latest` is at build time; "
            f"pin a version tag (and ideally a digest)")


def latest_tag(ref: ImageRef) -> Optional[str]:
    """HL102: an explicit `:latest` (a digest next to it pins the image, so that is fine)."""
    if not _judged(ref) or ref.digest or ref.tag != "latest":
        return None
    return (f"image `{ref.raw}` uses the moving `latest` tag; pin a version tag "
            f"(and ideally a digest)")


def not_digest_pinned(ref: ImageRef) -> Optional[str]:
    """HL103: no `@sha256:` digest; tags can be re-pointed, digests cannot."""
    if not _judged(ref) or ref.digest:
        return None
    return (f"image `{ref.raw}` is not pinned by digest; a tag can be moved to other content, "
            f"only `@sha256:` digests are immutable")


def _registry_entry(entry: str) -> Tuple[str, str]:
    """(host, path prefix) of one trusted-registries entry, normalised like an image reference."""
    e = entry.strip().lower()
    for scheme in ("https://", "http://"):
        if e.startswith(scheme):
            e = e[len(scheme):]
    host, _, path = e.strip("/").partition("/")
    if host in _HUB_HOSTS:
        host = DOCKER_HUB
    return host, path.strip("/")


def _host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def untrusted_registry(ref: ImageRef, trusted: Sequence[str]) -> Optional[str]:
    """HL104: the image's registry (or registry/path prefix) is not in `trusted`.

    Entries are hosts (`ghcr.io`, `docker.io`, `localhost:5000`, `*.dkr.ecr.eu-west-1.amazonaws.com`)
    or host/path prefixes matched on whole path components (`ghcr.io/myorg` trusts
    `ghcr.io/myorg/app`, not `ghcr.io/myorg-evil/app`; `docker.io/library` trusts official images).
    Nothing is reported when `trusted` is empty.
    """
    entries = [e for e in trusted if e and e.strip()]
    if not entries or not _judged(ref):
        return None
    host = DOCKER_HUB if ref.registry in _HUB_HOSTS else ref.registry
    repo = ref.repository.lower()
    if host == DOCKER_HUB and "/" not in repo:
        repo = "library/" + repo
    for entry in entries:
        e_host, e_path = _registry_entry(entry)
        if _host_matches(host, e_host) and (not e_path or repo == e_path or repo.startswith(e_path + "/")):
            return None
    where = "Docker Hub (`docker.io`)" if host == DOCKER_HUB else f"`{host}`"
    return (f"image `{ref.raw}` comes from {where}, which is not in trusted-registries "
            f"({', '.join(e.strip() for e in entries)})")


@lru_cache(maxsize=1)
def _base_images() -> Dict[str, dict]:
    with open(os.path.join(DATA_DIR, "base_images.json"), encoding="utf-8") as f:
        text = f.read()
    return {e["image"]: e for e in json.loads(text)["images"]}


def _is_lean(words: List[str], lean: Sequence[str]) -> bool:
    return any(w == l or re.fullmatch(re.escape(l) + r"[\d.]+", w) for w in words for l in lean)


def _lean_tag(entry: dict, tag: str) -> Optional[str]:
    """The tag of the smaller variant of the same image, or None when there is no obvious one."""
    words = tag.split("-")
    if tag == "latest" or any(w in _WINDOWS or w in entry.get("no_fix", ()) for w in words):
        return None
    if entry.get("single_token") and len(words) > 1:
        return None
    for old, new in entry.get("swap", {}).items():
        if old in words:
            return "-".join(new if w == old else w for w in words)
    variant = entry.get("variant")
    if not variant:
        return None
    if entry.get("position") == "after-version":
        return "-".join([words[0], variant] + words[1:])
    return "-".join(words + [variant])


def large_base(ref: ImageRef) -> Optional[Tuple[str, Optional[str]]]:
    """HL201: (message, replacement image text or None) when `ref` is a full general-purpose image.

    The replacement keeps registry and repository as written and is only offered for a tagged,
    digest-free reference with an obvious smaller variant (`python:3.12` -> `python:3.12-slim`).
    """
    if not _judged(ref):
        return None
    entry = _base_images().get(image_key(ref))
    if entry is None or (ref.tag and _is_lean(ref.tag.split("-"), entry["lean"])):
        return None
    replacement = None
    if ref.tag and not ref.digest:
        new_tag = _lean_tag(entry, ref.tag)
        if new_tag:
            replacement = ref.raw[: len(ref.raw) - len(ref.tag)] + new_tag
    if replacement:
        also = f", {entry['also']}" if entry.get("also") else ""
        advice = f"use `{replacement}`{also}"
    else:
        advice = entry["alternative"]
    return f"`{ref.raw}` is {entry['what']}; {advice}", replacement


@lru_cache(maxsize=1)
def _user_families() -> List[dict]:
    with open(os.path.join(DATA_DIR, "image_users.json"), encoding="utf-8") as f:
        return json.load(f)["families"]


def _has_word(tag: str, words: Sequence[str]) -> bool:
    """The tag has one of `words` as a `-`-separated word, maybe with a version glued on
    (`nanoserver1809`, `ltsc2022`)."""
    return any(w == x or re.fullmatch(re.escape(x) + r"[\d.]+", w) for w in tag.lower().split("-") for x in words)


def _major(tag: str) -> Optional[int]:
    m = re.match(r"(\d+)", tag)
    return int(m.group(1)) if m else None


def _glob(name: str, pattern: str) -> bool:
    """`fnmatchcase` for the `*`-only patterns of the data file, without compiling a regex
    (a one-file run would otherwise pay a compile per pattern at start-up)."""
    first, *rest = pattern.split("*")
    if not rest:
        return name == first
    if not name.startswith(first):
        return False
    pos, last = len(first), rest.pop()
    for part in rest:
        found = name.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    return len(name) - pos >= len(last) and name.endswith(last)


@lru_cache(maxsize=512)
def user_family(ref: ImageRef) -> Optional[dict]:
    """The entry of `data/image_users.json` that describes this image's default user, or None."""
    if ref.variable or ref.is_scratch:
        return None
    key = image_key(ref)
    tag = ref.tag or "latest"
    for e in _user_families():
        if not any(_glob(key, p) for p in e["images"]) or any(_glob(key, p) for p in e.get("not_images", ())):
            continue
        if "tag_words" in e and not _has_word(tag, e["tag_words"]):
            continue
        if "not_tag_words" in e and _has_word(tag, e["not_tag_words"]):
            continue
        return e
    return None


def default_user(ref: ImageRef) -> Optional[str]:
    """The non-root user an image is documented to run as by default, or None when it runs as
    root (or its platform's administrator) or nobody knows (see `data/image_users.json`):
    distroless `:nonroot` tags and Chainguard images (not `-dev`) run as `nonroot` (65532); .NET
    `-chiseled` and `-distroless` images as `app` (1654); Windows Nano Server as `ContainerUser`;
    `nginxinc/nginx-unprivileged` as `nginx` (101); and the like."""
    e = user_family(ref)
    return e.get("user") if e else None


def family_user(ref: ImageRef) -> Optional[str]:
    """A non-root user that exists in images of this family, for a `USER` fix: `node` in the
    official Node.js images, `nonroot` in distroless and Chainguard, `$APP_UID` in .NET 8+ images,
    `ContainerUser` in Windows images."""
    e = user_family(ref)
    if e is None or not e.get("fix_user"):
        return None
    if "min_version" in e:
        major = _major(ref.tag or "")
        if major is not None and major < e["min_version"]:
            return None
    return e["fix_user"]


def is_windows(ref: ImageRef) -> bool:
    """A Windows image (Nano Server, Server Core, .NET Framework, `*-windowsservercore-*` tags)."""
    e = user_family(ref)
    return bool(e and e.get("windows"))
