"""Ports bound on the host: HL319 (Kubernetes `hostPort`), HL320 (compose ports on every interface).

A port reached through a YAML anchor is reported once, where it is written.
"""
from __future__ import annotations

from typing import Iterable

from ...model import patch
from ...model.container import YamlFile
from ...model.findings import Edit, Span, Violation
from ...model.yamlnodes import MappingNode, ScalarNode, entry_range, get_entry, scalar_text_range
from ...registry import RuleContext, check
from .privilege import fix, once

LOOPBACK = "127.0.0.1"


@check("HL319", "K")
def host_port(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`hostPort` on a container port (not for hostNetwork pods: HL312 says it)."""
    seen: set = set()
    for c in f.containers:
        if c.pod is not None and c.pod.host_network is not None and c.pod.host_network.is_true():
            continue
        for p in c.ports:
            if not p.published or p.published.strip() in ("0", "") or not isinstance(p.node, MappingNode):
                continue
            e = get_entry(p.node, "hostPort")
            if e is None:
                continue
            span = Span.of(f.source.index, *entry_range(f.text, e.key_node, e.value_node))
            if not once(seen, span):
                continue
            yield Violation(span, f"{c.label} binds port {p.published} of the node (`hostPort`): it bypasses "
                                  f"NetworkPolicy and Service routing and allows one such pod per node; use a "
                                  f"Service instead",
                            fix("remove `hostPort`", patch.remove_entry(f, e.key_node, e.mapping), "unsafe"))


@check("HL320", "C")
def port_published_on_all_interfaces(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """A published port (short or long syntax) without a host IP."""
    seen: set = set()
    for c in f.containers:
        for p in c.ports:
            if not p.published or p.host_ip:
                continue
            if not once(seen, p.span):
                continue
            if isinstance(p.node, ScalarNode):
                start, _end = scalar_text_range(f.text, p.node)
                edits = (Edit(start, start, LOOPBACK + ":"),)
            elif isinstance(p.node, MappingNode):
                edits = patch.set_key(f, p.node, "host_ip", LOOPBACK)
            else:
                edits = ()
            yield Violation(p.span, f"{c.label} publishes port {p.published} on every interface of the host "
                                    f"(Docker's own firewall rules bypass ufw and the like); bind it to "
                                    f"`{LOOPBACK}` unless remote clients need it",
                            fix(f"publish on {LOOPBACK} only", edits, "unsafe"))
