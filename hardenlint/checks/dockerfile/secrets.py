"""Dockerfile secrets: HL501 secret-in-environment (ENV / ARG), HL502 secret-file-copied.

Messages name the variable or file, never a value.
"""
from __future__ import annotations

import posixpath

from ...knowledge.secrets import credential_file, is_literal_secret, is_secret_name
from ...model.dockerfile import Dockerfile
from ...model.findings import Span, Violation
from ...registry import RuleContext, check
from ._util import env_words, word_offsets

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator, List, Tuple


def literal_secrets(df: Dockerfile) -> List[Tuple[object, str, Span, str]]:
    """(instruction, name, span of the `NAME=value` word, value) for every ENV value and ARG
    default that is a literal secret of a secret-looking name. Also used to redact output, so
    worked out once per file."""
    found = df.__dict__.get("_literal_secrets")
    if found is None:
        found = df.__dict__["_literal_secrets"] = list(_literal_secrets(df))
    return found


def _literal_secrets(df: Dockerfile) -> Iterator[Tuple[object, str, Span, str]]:
    for ins in df.instructions:
        if ins.keyword not in ("ENV", "ARG"):
            continue
        for name, value, start, end, _k in env_words(ins):
            if value is not None and is_secret_name(name) and is_literal_secret(value):
                yield ins, name, ins.span_of(start, end), value


@check("HL501", "D")
def secret_in_environment(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """ENV values and ARG defaults that are literal secrets for secret-looking names."""
    for ins, name, span, _value in literal_secrets(df):
        at = Span.of(df.source.index, span.start, span.start + len(name))
        if ins.keyword == "ENV":
            why = ("is baked into the image config, visible to `docker inspect` and every "
                   "process; pass it at run time (or use `RUN --mount=type=secret` while building)")
        else:
            why = ("is recorded in the image history; use `RUN --mount=type=secret` for "
                   "build-time secrets")
        yield Violation(at, f"{ins.keyword} `{name}` has a literal value, which {why}")


@check("HL502", "D")
def secret_file_copied(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """COPY / ADD of key or credential files (`id_rsa`, `*.pem`, `.env`, `.npmrc`, ...)."""
    for ins in df.instructions:
        if ins.keyword not in ("COPY", "ADD"):
            continue
        words = word_offsets(ins)
        for value, start, end in words[:-1]:
            if value.startswith("<<") and ins.heredocs:
                continue
            if credential_file(value):
                name = posixpath.basename(value.rstrip("/")) or value
                yield Violation(ins.span_of(start, end), f"`{ins.keyword}` puts `{name}`, a key or credential file, into an "
                                      "image layer where anyone with the image can read it; mount it "
                                      "for the step that needs it with `RUN --mount=type=secret`")
