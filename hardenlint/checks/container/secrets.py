"""HL501 for compose `environment` and Kubernetes `env[].value`. Messages never carry the value,
and the finding points at the variable's name, not at its value."""
from __future__ import annotations

from typing import Iterable, Iterator, Tuple

from ...knowledge.secrets import is_literal_secret, is_secret_name
from ...model.container import YamlFile
from ...model.findings import Violation
from ...registry import RuleContext, check
from .privilege import once


def literal_secrets(f: YamlFile) -> Iterator[Tuple[object, object]]:
    """(container, env var) for every literal secret value of a secret-looking name, each written
    entry once. Also used to redact output."""
    seen: set = set()
    for c in f.containers:
        for e in c.env:
            if e.value is None or e.value_from or e.interpolated:
                continue
            if is_secret_name(e.name) and is_literal_secret(e.value) and once(seen, e.span):
                yield c, e


@check("HL501", "CK")
def secret_in_environment(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """A literal value for a secret-looking variable name."""
    for c, e in literal_secrets(f):
        where = "`env`" if c.kind == "kubernetes" else "`environment`"
        source = ("a Secret through `valueFrom.secretKeyRef`" if c.kind == "kubernetes"
                  else "`secrets:` or `${VAR}` interpolation from an untracked `.env` file")
        yield Violation(e.name_span, f"{c.label} sets `{e.name}` to a literal value in its {where}; "
                                     f"anyone who can read the file has it: use {source}")
