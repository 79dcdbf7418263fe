"""What every parser returns: the contract between parsers, the engine and the checks."""
from __future__ import annotations

from ..source import SourceFile
from .findings import Violation
from .record import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import FrozenSet, List, Optional, Tuple


@record
class Parsed:
    """A parsed file.

    - `kind`: "dockerfile", "compose" or "kubernetes" (decided by the parser for plain YAML);
      None when the file is not ours to lint (plain YAML) or is skipped (see `skipped`).
    - `errors`: HL001 violations (a broken YAML document leaves the others linted).
    - `skipped`: a reason shown to the user when a file is deliberately not linted (Helm
      templates); None otherwise. Plain, unrelated YAML has kind None and skipped None.
    - `model`: the kind's model (`Dockerfile` or `YamlFile`), or None when nothing can be checked.
    - `extra_suppressions`: (rule ids, first line, last line) from sources other than comments,
      such as the Kubernetes `hardenlint.io/ignore` annotation.
    """

    source: SourceFile
    kind: Optional[str]
    model: object = None
    errors: List[Violation] = field(default_factory=list)
    skipped: Optional[str] = None
    extra_suppressions: List[Tuple[FrozenSet[str], int, int]] = field(default_factory=list)

    def suppression_scope(self, line: int) -> Optional[Tuple[int, int]]:
        """Lines covered by a suppression comment that sits alone on `line`.

        The model answers (`model.suppression_scope(line)`): for a Dockerfile, the next
        instruction's lines; for YAML, the next key's or list item's node and everything under it.
        """
        scope = getattr(self.model, "suppression_scope", None)
        return scope(line) if scope else None
