"""Hover text for a flagged range: the rule's name and level, why it matters and its fix, taken
from the rule's page (the same text `hardenlint explain` prints)."""
from __future__ import annotations

import functools
import re
from typing import Dict, Optional

from ..catalogue import RULES
from ..docs import page_text, page_url

_HEADING = re.compile(r"^## +(.+?)\s*$", re.M)


@functools.lru_cache(maxsize=None)
def sections(rule_id: str) -> Dict[str, str]:
    """A rule page's `## ` sections by heading ("" holds the text before the first one)."""
    text = page_text(rule_id) or ""
    out: Dict[str, str] = {}
    parts = _HEADING.split(text)
    out[""] = parts[0]
    for heading, body in zip(parts[1::2], parts[2::2]):
        out[heading.strip()] = body.strip()
    return out


def markdown(rule_id: str, level: Optional[str] = None, message: Optional[str] = None) -> str:
    """Markdown for one rule: heading line, the finding's message, why it matters, the fix."""
    info = RULES[rule_id]
    page = sections(rule_id)
    lines = [f"**{rule_id} {info.name}** · {level or info.level} · fix: {info.fix}", ""]
    if message:
        lines += [message, ""]
    lines += [info.summary, ""]
    why = page.get("Why it matters")
    if why:
        lines += ["**Why it matters**", "", why, ""]
    fix = page.get("Fix")
    if fix:
        lines += ["**Fix**", "", fix, ""]
    lines.append(f"[{rule_id} documentation]({page_url(rule_id)})")
    return "\n".join(lines)
