"""Image provenance for compose services and Kubernetes containers: HL101-HL104, HL107.

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
from .privilege import drop_setting_fix, once


def _image_rule(f: YamlFile, judge: Callable[[ContainerView], Optional[str]]) -> Iterable[Violation]:
    seen: set = set()
    for c in f.containers:
        if c.image is None or c.image_span is None or not once(seen, c.image_span):
            continue
        message = judge(c)
        if message:
            yield Violation(c.image_span, f"{c.label}: {message}")


@check("HL101", "CK")
def image_tag_missing(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`image: nginx`: no tag means a moving `latest`."""
    return _image_rule(f, lambda c: missing_tag(c.image))


@check("HL102", "CK")
def image_tag_latest(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`image: nginx:latest`."""
    return _image_rule(f, lambda c: latest_tag(c.image))


@check("HL103", "CK")
def image_not_pinned(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """A tag without `@sha256:`; the fix needs the digest resolver, so none is offered here."""
    return _image_rule(f, lambda c: not_digest_pinned(c.image))


@check("HL104", "CK")
def image_untrusted_registry(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Registry not in `trusted-registries` (silent when that list is empty)."""
    if not ctx.trusted_registries:
        return ()
    return _image_rule(f, lambda c: untrusted_registry(c.image, ctx.trusted_registries))


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
