"""Reading a file into a SourceFile: decoded text, BOM remembered, kind decided by the caller."""
from __future__ import annotations

from .model.positions import LineIndex
from .model.record import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


class SourceError(Exception):
    """A file that cannot be read (one line, no traceback)."""


class DecodeError(SourceError):
    """A file that was read but is not UTF-8 text: reported as HL001 where the kind is known."""


@record
class SourceFile:
    """One input: `path` as shown to the user, `text` decoded with the BOM removed.

    `kind` is "dockerfile", "compose", "kubernetes", "yaml" (YAML whose kind the parser decides
    from its content) or "json" (JSON: a Kubernetes manifest, or not ours). "auto" (a name that
    says nothing) is turned into one of these from the text by `discover.kind_by_content`.
    """

    path: str
    text: str
    kind: str
    bom: bool = False
    _index: Optional[LineIndex] = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind == "auto":
            from .discover import kind_by_content

            self.kind = kind_by_content(self.text)

    @property
    def is_json(self) -> bool:
        """The text is JSON (fixes must keep it JSON)."""
        return self.kind == "json"

    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index


def decode(data: bytes, path: str) -> "tuple[str, bool]":
    """Decode UTF-8 bytes; returns (text without BOM, had_bom)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError as e:
        raise DecodeError(f"not UTF-8 text (byte {e.start})") from None


def read_source(fs_path: str, display: str, kind: str) -> SourceFile:
    try:
        with open(fs_path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise SourceError(f"{display}: cannot read: {e.strerror or e}") from None
    text, bom = decode(data, display)
    return SourceFile(display, text, kind, bom)
