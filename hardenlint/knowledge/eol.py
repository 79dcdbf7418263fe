"""HL206: is an image's release cycle past its end of life?

The table (`hardenlint/data/eol.json`, written by `scripts/update_eol.py` from endoflife.date)
holds, per product, each cycle's release and EOL dates, plus the Docker Hub tag conventions: which
image is which product, and the codenames used as tags. A tag names a cycle by its leading version
(`3.8`, `3.8.19`, `16`, `18.04`) or codename (`bionic`, `buster`, `gallium`); language and server
images may carry a second cycle, their base OS, as a suffix (`-buster`, `-alpine3.15`, `-jammy`,
`-ubi9`, `-al2`). Floating tags (`latest`, `3`, `alpine`, `lts`, `stable`) name no cycle and are
never judged. Everything is judged against the `today` the caller passes (the run date, ISO
`YYYY-MM-DD` text like the table's dates).
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache

from .. import lazyre
from ..model.image import ImageRef
from ..model.record import record
from .images import DATA_DIR, image_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

SOURCE = "endoflife.date"
_VERSION = lazyre.compile(r"\d+(?:\.\d+)*")
_JAVA8 = lazyre.compile(r"(\d+)u\d+")  # eclipse-temurin / corretto `8u402`
_ALPINE = lazyre.compile(r"alpine(\d+\.\d+)")
_UBI = lazyre.compile(r"ubi(\d+)")
_CENTOS = lazyre.compile(r"centos(\d+)")
_AL = {"al2": "2", "al2023": "2023"}
_DATE_OR_BUILD = lazyre.compile(r"\d{8}|b\d+")  # `noble-20240110`, `8u402-b06`: tied to the old build


@record(frozen=True)
class Cycle:
    product: str
    cycle: str
    release: Optional[str]
    eol: object  # ISO date string, True (EOL, no date given) or False (no date yet)
    lts: bool

    def ended(self, today: str) -> bool:
        if isinstance(self.eol, str):
            return self.eol <= today  # ISO dates compare as text
        return self.eol is True


@record(frozen=True)
class EolStatus:
    """An end-of-life verdict: `message` names each ended cycle, its EOL date and the source;
    `replacement` is the image text bumped to a supported cycle, or None when unsure."""

    message: str
    replacement: Optional[str]
    cycles: Tuple[Cycle, ...]


@lru_cache(maxsize=1)
def _table() -> dict:
    with open(os.path.join(DATA_DIR, "eol.json"), encoding="utf-8") as f:
        text = f.read()
    return json.loads(text)


@lru_cache(maxsize=None)
def _cycles(product: str) -> Dict[str, Cycle]:
    return {row[0]: Cycle(product, row[0], row[1], row[2], bool(row[3]))
            for row in _table()["products"].get(product, ())}


def __getattr__(name: str):
    if name == "AS_OF":  # loaded on first use, so importing this module reads no file
        from datetime import date

        return date.fromisoformat(_table()["checked"])
    raise AttributeError(name)


def _codenames(product: str) -> Dict[str, str]:
    names = _table()["codenames"].get(product, {})
    if product == "debian":  # suffix-safe suites only: wheezy (7) and later
        return {k: v for k, v in names.items() if "." not in v and int(v) >= 7}
    return names


def _by_version(product: str, version: str) -> Optional[Cycle]:
    """Longest leading part of `version` that is a cycle: `3.8.19` -> 3.8, `12.5` -> 12."""
    parts = version.split(".")
    table = _cycles(product)
    for n in range(len(parts), 0, -1):
        c = table.get(".".join(parts[:n]))
        if c:
            return c
    return None


@record
class _Part:
    cycle: Cycle
    index: int  # first tag word
    count: int  # number of tag words
    style: str  # "version", "codename" or "suffix"
    prefix: str = ""


def _primary(spec: dict, word: str) -> Optional[_Part]:
    product = spec["product"]
    prefix = spec.get("prefix", "")
    if prefix and word.startswith(prefix):
        word = word[len(prefix):]
    else:
        prefix = ""
    m = _JAVA8.fullmatch(word)
    if _VERSION.fullmatch(word) or m:
        c = _by_version(product, m.group(1) if m else word)
        return _Part(c, 0, 1, "version", prefix) if c else None
    cycle = _codenames(product).get(word)
    c = _cycles(product).get(cycle) if cycle else None
    return _Part(c, 0, 1, "codename") if c else None


def _suffixes(words: List[str]) -> List[_Part]:
    """Base-OS cycles carried by tag words after the first."""
    out: List[_Part] = []
    debian, ubuntu = _codenames("debian"), _codenames("ubuntu")
    i = 1
    while i < len(words):
        w, found, count = words[i], None, 1
        if w in debian:
            found = ("debian", debian[w])
        elif w in ubuntu:
            found = ("ubuntu", ubuntu[w])
        elif _ALPINE.fullmatch(w):
            found = ("alpine-linux", w[len("alpine"):])
        elif w == "alpine" and i + 1 < len(words) and re.fullmatch(r"\d+\.\d+", words[i + 1]):
            found, count = ("alpine-linux", words[i + 1]), 2  # eclipse-temurin `-alpine-3.20`
        elif _UBI.fullmatch(w):
            found = ("rhel", w[3:])
        elif _CENTOS.fullmatch(w):
            found = ("centos", w[6:])
        elif w in _AL:
            found = ("amazon-linux", _AL[w])
        c = _cycles(found[0]).get(found[1]) if found else None
        if c:
            out.append(_Part(c, i, count, "suffix"))
        i += count
    return out


def _bump(spec: dict, cur: Cycle, today: str) -> Optional[Cycle]:
    """Oldest supported cycle newer than `cur` on the same line (same major where the product's
    majors break compatibility; an LTS cycle when the product has them)."""
    cands = [c for c in _cycles(cur.product).values()
             if c.release and cur.release and c.release > cur.release and not c.ended(today)]
    if spec.get("line") == "major":
        cands = [c for c in cands if c.cycle.split(".")[0] == cur.cycle.split(".")[0]]
    if any(c.lts for c in cands):
        cands = [c for c in cands if c.lts]
    return min(cands, key=lambda c: c.release, default=None)


def _spell(spec: dict, part: _Part, target: Cycle) -> str:
    if part.style == "codename":
        names = {v: k for k, v in _codenames(target.product).items()}
        if target.cycle in names:
            return names[target.cycle]
    text = target.cycle
    pad = spec.get("pad", 1)
    while text.count(".") + 1 < pad:
        text += ".0"
    return part.prefix + text


def _replacement(ref: ImageRef, spec: dict, words: List[str], primary: Optional[_Part],
                 ended: List[_Part], today: str) -> Optional[str]:
    if ref.digest:
        return None  # a digest pins the old content; the resolver would have to find a new one
    new: List[Optional[str]] = list(words)
    bumped = primary is not None and primary in ended
    if bumped:
        target = _bump(spec, primary.cycle, today)
        if target is None:
            return None
        new[0] = _spell(spec, primary, target)
        for i in range(1, len(words)):
            if _DATE_OR_BUILD.fullmatch(words[i]):
                new[i] = None
    for part in ended:
        if part is primary:
            continue
        # An ended base OS: follow the image's current default (Debian/Ubuntu/CentOS suffix
        # dropped) or its newest Alpine (`-alpine`); no safe guess for the others (ubi, al2).
        product = part.cycle.product
        if product not in ("debian", "ubuntu", "centos", "alpine-linux"):
            return None
        for i in range(part.index, part.index + part.count):
            new[i] = None
        if product == "alpine-linux":
            new[part.index] = "alpine"
    if bumped:  # a pinned Alpine release may not be built for the new version: float it
        for i, w in enumerate(new):
            if w and _ALPINE.fullmatch(w):
                new[i] = "alpine"
    tag = "-".join(w for w in new if w)
    if not tag or tag == ref.tag:
        return None
    return ref.raw[: len(ref.raw) - len(ref.tag)] + tag


def _describe(part: _Part, words: List[str]) -> str:
    c = part.cycle
    name = f"{c.product} {c.cycle}"
    if part.style in ("codename", "suffix") and not _VERSION.fullmatch(words[part.index]):
        word = words[part.index] if part.count == 1 else "-".join(words[part.index:part.index + part.count])
        if word not in (c.cycle, f"alpine{c.cycle}", f"alpine-{c.cycle}"):
            name += f" ({word})"
    if c.eol is True:
        return f"{name} is past its end of life"
    if c.product in _table().get("eol_is_end_of_lts", ()):
        return f"{name} reached end of life (end of LTS) on {c.eol}"
    return f"{name} reached end of life on {c.eol}"


def eol_status(ref: ImageRef, today: str) -> Optional[EolStatus]:
    """The end-of-life verdict for `ref` on `today`, or None when no cycle it names has ended
    (or it names none, or the image is unknown)."""
    if ref.variable or not ref.tag:
        return None
    spec = _table()["images"].get(image_key(ref))
    if spec is None:
        return None
    words = ref.tag.split("-")
    primary = _primary(spec, words[0])
    parts = ([primary] if primary else []) + (_suffixes(words) if spec.get("os") else [])
    ended = [p for p in parts if p.cycle.ended(today)]
    if not ended:
        return None
    message = " and ".join(_describe(p, words) for p in ended) + f" ({SOURCE})"
    replacement = _replacement(ref, spec, words, primary, ended, today)
    return EolStatus(message, replacement, tuple(p.cycle for p in ended))
