"""Keeping secret values out of output: where they are written in a text, and masking them.

Masking replaces the characters of a span with `*` (line breaks kept), so lengths, columns and
line numbers hold and everything outside the spans stays byte-exact.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, List, Tuple

    Spans = Tuple[Tuple[int, int], ...]

LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # str.splitlines' breaks
# Characters that join a value to a longer word: `airflow` inside `puckel/docker-airflow` or
# `/usr/local/airflow` is not the password `airflow` written again.
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./@+%~")


def secret_spans(text: str, written: Iterable[Tuple[int, int]], values: Iterable[str] = ()) -> Spans:
    """The spans of `text` to mask, merged and sorted: where secret values are written
    (`written`, from the finders), plus every other place where one of those values (as written,
    or as read: `values`) that is not a plain word is written again as a whole word (the same
    token echoed, `-e TOKEN=tok-9f8e7d6c` after `ENV TOKEN=tok-9f8e7d6c`).

    A value made of letters only (`airflow`, `drone`) is a word: elsewhere in the file it is most
    often that word used for something else (the service, user or database name), so only its
    written spans are masked."""
    written = [(s, e) for s, e in written if 0 <= s < e <= len(text)]
    spans: List[Tuple[int, int]] = list(written)
    for value in {text[s:e] for s, e in written} | {v for v in values if v}:
        if value.isalpha():
            continue
        start = text.find(value)
        while start != -1:
            end = start + len(value)
            if (start == 0 or text[start - 1] not in _WORD) and (end == len(text) or text[end] not in _WORD):
                spans.append((start, end))
            start = text.find(value, start + 1)
    merged: List[Tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return tuple(merged)


def mask(text: str, spans: Spans, offset: int = 0) -> str:
    """`text` (which starts at `offset` of the text the spans index) with the spans' characters
    replaced by `*`, line breaks kept."""
    if not spans:
        return text
    chars = None
    end_of_text = offset + len(text)
    for s, e in spans:
        if e <= offset or s >= end_of_text:
            continue
        if chars is None:
            chars = list(text)
        for i in range(max(s, offset) - offset, min(e, end_of_text) - offset):
            if chars[i] not in LINE_BREAKS:
                chars[i] = "*"
    return text if chars is None else "".join(chars)
