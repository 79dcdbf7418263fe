"""Attack surface of compose services and Kubernetes containers: HL205 (SSH port) and HL206
(end-of-life image)."""
from __future__ import annotations

from typing import Iterable, Optional

from ...knowledge.eol import eol_status
from ...model.container import Port, YamlFile
from ...model.findings import Edit, Fix, Violation
from ...registry import RuleContext, check
from .privilege import once

SSH = 22


def _publishes_ssh(p: Port) -> bool:
    """The host side of a compose mapping is 22 (or a range holding it)."""
    if not p.published:
        return False
    lo, _, hi = p.published.strip().partition("-")
    try:
        return int(lo) <= SSH <= int(hi or lo)
    except ValueError:
        return False


def _ssh_message(label: str, p: Port) -> Optional[str]:
    if p.protocol not in ("tcp", ""):
        return None
    if p.includes(SSH):
        where = f" (published on host port {p.published})" if p.published else ""
        return f"{label} exposes container port 22 (SSH){where}; use `docker exec` / `kubectl exec` instead of an SSH server"
    if _publishes_ssh(p):
        return f"{label} publishes host port 22, the SSH port, for container port {p.container}"
    return None


@check("HL205", "CK")
def ssh_exposed(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Compose `ports` with container or published port 22; Kubernetes `containerPort: 22`."""
    seen: set = set()
    for c in f.containers:
        for p in c.ports:
            message = _ssh_message(c.label, p)
            if message and once(seen, p.span):
                yield Violation(p.span, message)


@check("HL206", "CK")
def end_of_life_image(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """The image's release cycle is past its EOL; the unsafe fix bumps it to a supported cycle."""
    seen: set = set()
    for c in f.containers:
        if c.image is None or c.image_span is None or not once(seen, c.image_span):
            continue
        status = eol_status(c.image, ctx.today)
        if status is None:
            continue
        fix = None
        if status.replacement:
            s = c.image_span
            fix = Fix(f"use `{status.replacement}`", (Edit(s.start, s.end, status.replacement),), "unsafe")
        yield Violation(c.image_span, f"{c.label}: {status.message}", fix)
