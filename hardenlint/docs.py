"""Rule pages (the top-level `rules/` folder, installed as the `hardenlint.pages` package)."""
from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

DOCS_URL = "https://github.com/hardenlint/hardenlint/blob/main/rules/{id}.md"


def page_text(rule_id: str) -> Optional[str]:
    """The Markdown page of a rule, or None when it is not installed.

    Installed, the pages are in `hardenlint/pages/`; in a source checkout, in `rules/`.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    for folder in (os.path.join(here, "pages"), os.path.join(os.path.dirname(here), "rules")):
        path = os.path.join(folder, f"{rule_id}.md")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    return None


def page_url(rule_id: str) -> str:
    return DOCS_URL.format(id=rule_id)
