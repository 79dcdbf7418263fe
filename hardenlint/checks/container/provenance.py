"""Image provenance for compose services and Kubernetes containers: HL101-HL104, HL107, and the
online HL109 and HL208.

Image rules point at the image text; a compose service with only `build:` has no image to judge.
An image shared through a YAML anchor is reported once, where it is written.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from ...knowledge.images import latest_tag, missing_tag, not_digest_pinned, untrusted_registry
from ...knowledge.verification import insecure_env
from ...model.container import ContainerView, YamlFile
from ...model.findings import Violation
from ...registry import RuleContext, check
from ..pinning import digest_outdated, digest_unknown, pin_fix
from .privilege import drop_setting_fix, once


def _image_rule(f: YamlFile, judge: Callable[[ContainerView], Optional[str]],
                ctx: Optional[RuleContext] = None) -> Iterable[Violation]:
    """With `ctx` (HL101-HL103) and `--resolve`, each violation carries the pin fix."""
    seen: set = set()
    for c in f.containers:
        if c.image is None or c.image_span is None or not once(seen, c.image_span):
            continue
        message = judge(c)
        if message:
            fix = None
            if ctx is not None and ctx.resolved is not None:
                fix = pin_fix(f.text, c.image_span, c.image, None, ctx.resolved)
            yield Violation(c.image_span, f"{c.label}: {message}", fix)


@check("HL101", "CK")
def image_tag_missing(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`image: nginx`: no tag means a moving `latest`."""
    return _image_rule(f, lambda c: missing_tag(c.image), ctx)


@check("HL102", "CK")
def image_tag_latest(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`image: nginx:latest`."""
    return _image_rule(f, lambda c: latest_tag(c.image), ctx)


@check("HL103", "CK")
def image_not_pinned(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """A tag without `@sha256:`; with `--resolve` the fix pins the tag's digest."""
    return _image_rule(f, lambda c: not_digest_pinned(c.image), ctx)


@check("HL104", "CK")
def image_untrusted_registry(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Registry not in `trusted-registries` (silent when that list is empty)."""
    if not ctx.trusted_registries:
        return ()
    return _image_rule(f, lambda c: untrusted_registry(c.image, ctx.trusted_registries))


def _online(f: YamlFile, ctx: RuleContext, judge) -> Iterable[Violation]:
    if ctx.resolved is None:  # online rules run only with --resolve
        return
    seen: set = set()
    for c in f.containers:
        ref = c.image
        if ref is None or c.image_span is None or ref.digest is None or ref.variable or not once(seen, c.image_span):
            continue
        v = judge(c)
        if v is not None:
            yield v


@check("HL109", "CK")
def image_digest_unknown(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """(online) A pinned digest the registry does not have for that repository."""
    return _online(f, ctx, lambda c: digest_unknown(
        f.text, f.source.index, c.image_span, c.image, ctx.resolved, f"{c.label}: "))


@check("HL208", "CK")
def image_digest_outdated(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """(online) `ref:tag@digest` whose tag now points at another image; unsafe fix: the new digest."""
    return _online(f, ctx, lambda c: digest_outdated(
        f.text, f.source.index, c.image_span, c.image, None, ctx.resolved, f"{c.label}: "))


@check("HL107", "CK")
def verification_disabled_env(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Environment settings that turn TLS or signature verification off; the fix drops them."""
    seen: set = set()
    for c in f.containers:
        for e in c.env:
            message = insecure_env(e.name, e.value)
            if message and once(seen, e.span):
                fix = drop_setting_fix(f, e.node, e.parent, f"remove `{e.name}`")
                yield Violation(e.span, f"{c.label}: {message}", fix)
