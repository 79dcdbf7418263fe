"""Namespaces and Pod Security admission: HL411, HL412."""
from __future__ import annotations

from typing import Iterable

from ...model import patch
from ...model.container import YamlFile
from ...model.findings import Edit, Fix, Violation
from ...model.rbac import cluster_model
from ...registry import RuleContext, check

ENFORCE = "pod-security.kubernetes.io/enforce"


@check("HL411", "K")
def namespace_privileged(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`pod-security.kubernetes.io/enforce: privileged` on a Namespace."""
    for ns in cluster_model(f).namespaces:
        label = ns.labels.get(ENFORCE)
        if label is None or (label[0] or "").strip().lower() != "privileged":
            continue
        span = label[1]
        yield Violation(span, f"Namespace `{ns.name}` enforces the `privileged` Pod Security level: admission lets "
                              f"any pod in, privileged and host-namespace ones included; enforce `baseline` (or "
                              f"`restricted`)",
                        Fix("enforce `baseline`", (Edit(span.start, span.end, "baseline"),), "unsafe"))


@check("HL412", "K")
def namespace_pod_security_unset(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """A Namespace without the `enforce` label."""
    for ns in cluster_model(f).namespaces:
        if ENFORCE in ns.labels:
            continue
        edits = patch.set_key(f, ns.metadata, ("labels", ENFORCE), "baseline")
        yield Violation(ns.name_span, f"Namespace `{ns.name}` sets no `{ENFORCE}` label, so the cluster's default "
                                      f"Pod Security level (usually `privileged`) applies",
                        Fix(f"add `{ENFORCE}: baseline`", tuple(edits), "unsafe") if edits else None)
