"""Resolver fixes and online judgements on image references, shared by the Dockerfile, compose and
Kubernetes checks: HL101-HL103's pin fix, HL109 (digest unknown), HL208 (digest outdated).

They read the registry's answers from `ctx.resolved` (None without `--resolve`: no fix, no
finding, no import of the resolver). `target` is the span of the text that holds the reference
as written: the image itself, or the `ARG` default it came from.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from ..model.findings import Edit, Fix, Span, Violation
from ..model.image import ImageRef
from ..model.positions import LineIndex


def pinned(ref: ImageRef, tag: str, digest: str) -> str:
    """`nginx` / `nginx:latest` / `nginx:1.27` -> `nginx:<tag>@<digest>` (registry kept as written)."""
    raw = ref.raw.split("@", 1)[0]
    if ref.tag is not None:
        raw = raw[:len(raw) - len(ref.tag) - 1]
    return f"{raw}:{tag}@{digest}"


def _locate(text: str, target: Span, needle: str) -> Optional[int]:
    """Offset of `needle` inside the target span's text (once), else None."""
    written = text[target.start:target.end]
    at = written.find(needle)
    if at == -1 or written.find(needle, at + 1) != -1:
        return None
    return target.start + at


def pin_fix(text: str, target: Span, ref: ImageRef, platform: Optional[str], resolved) -> Optional[Fix]:
    """HL101/HL102/HL103's fix: the reference with the tag the registry gives and its digest."""
    if resolved is None or ref.digest is not None or ref.variable:
        return None
    got = resolved.pin(ref, platform)
    start = _locate(text, target, ref.raw)
    if got is None or start is None:
        return None
    new = pinned(ref, *got)
    return Fix(f"pin `{ref.raw}` to `{new}`", (Edit(start, start + len(ref.raw), new),), "safe")


def digest_unknown(text: str, index: LineIndex, target: Span, ref: ImageRef, resolved,
                   label: str = "") -> Optional[Violation]:
    """HL109: the registry does not have this digest in this repository."""
    if resolved is None or ref.digest is None or ref.variable:
        return None
    if resolved.digest_exists(ref) is not False:
        return None  # exists, or could not be asked (reported as unresolved)
    start = _locate(text, target, ref.digest)
    span = Span.of(index, start, start + len(ref.digest)) if start is not None else target
    name = ref.raw.split("@", 1)[0]
    return Violation(span, f"{label}the registry has no manifest `{ref.digest}` in `{name}`: nothing can "
                           "pull this image (a typo, a deleted image, or a digest from another repository)")


def digest_outdated(text: str, index: LineIndex, target: Span, ref: ImageRef, platform: Optional[str],
                    resolved, label: str = "") -> Optional[Violation]:
    """HL208: `ref:tag@X` where the tag now points at another image; the fix pins the new one."""
    if resolved is None or ref.digest is None or not ref.tag or ref.variable:
        return None
    info = resolved.current(ref)
    if info is None:
        return None
    now = info.digest
    if platform and info.index and info.children:
        from ..oci.resolve import child_for  # only reached under --resolve

        now = child_for(info.children, platform) or now
    if ref.digest in (info.digest, now) or (info.children and ref.digest in info.children.values()):
        return None
    start = _locate(text, target, ref.digest)
    if start is None:
        return None
    fix = Fix(f"pin `{ref.tag}`'s current digest", (Edit(start, start + len(ref.digest), now),), "unsafe")
    return Violation(Span.of(index, start, start + len(ref.digest)),
                     f"{label}image `{ref.raw.split('@', 1)[0]}` is pinned to `{ref.digest}`, but its tag "
                     f"`{ref.tag}` now points at `{now}`: the pin holds the image as it was, without "
                     "the updates the tag has had since", fix)
