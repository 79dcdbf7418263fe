"""Dockerfile least privilege: HL301 no-user, HL302 user-root, HL318 non-numeric-user.

Only the final stage matters at run time; its user is the last USER of the final stage or, when it
has none, of the stages it is built FROM (USER is inherited through `FROM <stage>`).
"""
from __future__ import annotations

from ...knowledge import images
from ...model.dockerfile import Dockerfile, Instruction, Stage
from ...model.findings import Edit, Fix, Span, Violation
from ...registry import Option, RuleContext, check
from ._shell import program
from ._util import line_start, newline, stage_chain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, List, Optional, Tuple

_BUILD_STEPS = ("RUN", "COPY", "ADD")
_USER_OPTIONS = {
    "default-user": Option(str, "65532", "UID the fix writes when the base image family has no "
                                         "known non-root user"),
}


def _users(df: Dockerfile, stage: Stage) -> List[Tuple[Stage, Instruction, Optional[str]]]:
    """USER instructions of the stage chain, oldest first, with the resolved user (None when it
    cannot be resolved)."""
    out = []
    for s in reversed(stage_chain(stage)):
        for ins in s.instructions:
            if ins.keyword == "USER":
                value, ok = df.resolve_word(ins.args.strip(), s, ins)
                out.append((s, ins, value.split(":", 1)[0] if ok and value else None))
    return out


def _is_root(user: str) -> bool:
    return user == "root" or (user.isdigit() and int(user) == 0)


_WINDOWS_SHELLS = {"powershell", "pwsh", "cmd"}


def _windows(df: Dockerfile, final: Stage) -> bool:
    """The final stage builds a Windows image: a Windows base (Nano Server, Server Core, ...) or a
    `SHELL ["powershell"|"pwsh"|"cmd", ...]` in its chain."""
    root = stage_chain(final)[-1].image
    if root is not None and images.is_windows(root):
        return True
    for s in stage_chain(final):
        for ins in s.instructions:
            argv = ins.exec_form if ins.keyword == "SHELL" else None
            if argv and program(argv[0]).lower() in _WINDOWS_SHELLS:
                return True
    return False


def _fix_user(df: Dockerfile, final: Stage, ctx: RuleContext) -> str:
    """A non-root user for a fix: an earlier non-root USER of the chain, the base family's user
    (`node`, `nonroot`, `$APP_UID`, `ContainerUser`, ...), `ContainerUser` for any Windows image
    (never a Linux UID), else the `default-user` option."""
    for _s, _ins, user in reversed(_users(df, final)):
        if user and not _is_root(user):
            return user
    root = stage_chain(final)[-1].image
    family = images.family_user(root) if root else None
    if family:
        return family
    if _windows(df, final):
        return "ContainerUser"
    return str(ctx.options.get("default-user", "65532"))


def _insert_user(df: Dockerfile, final: Stage, user: str) -> Edit:
    """`USER <user>` before the final CMD/ENTRYPOINT that follows the last build step, else at
    the end of the file."""
    nl = newline(df)
    kw = "user" if final.from_instruction.raw_keyword.islower() else "USER"  # the file's own case
    body = final.instructions[1:]
    last_step = max((k for k, i in enumerate(body) if i.keyword in _BUILD_STEPS), default=-1)
    for ins in body[last_step + 1:]:
        if ins.keyword in ("CMD", "ENTRYPOINT"):
            at = line_start(df, ins.span.start)
            return Edit(at, at, f"{kw} {user}{nl}")
    text = df.source.text
    lead = "" if text.endswith("\n") or not text else nl
    return Edit(len(text), len(text), f"{lead}{kw} {user}{nl}")


@check("HL301", "D", options=_USER_OPTIONS, needs_stages=True)
def no_user(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """The final stage never switches to a non-root user and its base is not known non-root."""
    final = df.final_stage
    if final is None or _users(df, final):
        return
    root = stage_chain(final)[-1].image
    if root is not None and (root.variable or images.default_user(root)):
        return
    ins = final.from_instruction
    span = Span.of(df.source.index, ins.keyword_span.start, max(final.image_span.end, ins.keyword_span.end))
    user = _fix_user(df, final, ctx)
    what = "the unprivileged Windows account" if user == "ContainerUser" else (
        "the image's non-root user" if not user.isdigit() else "a non-root UID")
    yield Violation(span, "the final stage runs as root: no USER in it or in the stages it is built "
                          f"from; add `USER {user}` ({what}) before CMD/ENTRYPOINT",
                    Fix(f"add `USER {user}`", (_insert_user(df, final, user),), "unsafe"))


@check("HL302", "D", options=_USER_OPTIONS, needs_stages=True)
def user_root(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """The last USER of the final stage (chain) is root."""
    final = df.final_stage
    users = _users(df, final) if final is not None else []
    if not users:
        return
    stage, ins, user = users[-1]
    if user is None or not _is_root(user):
        return
    words = ins.words()
    span = words[0][1] if words else ins.args_span
    earlier = [u for _s, _i, u in users[:-1] if u and not _is_root(u)]
    new = earlier[-1] if earlier else _fix_user(df, final, ctx)
    steps_after = stage is not final or any(
        i.keyword in _BUILD_STEPS and i.span.start > ins.span.start for i in final.instructions)
    if steps_after:
        edit = _insert_user(df, final, new)
    else:
        edit = Edit(span.start, span.end, new)
    yield Violation(span, f"the final stage's last USER is root (`USER {ins.args.strip()}`); "
                          f"switch back to a non-root user such as `{new}` before CMD/ENTRYPOINT",
                    Fix(f"run as `{new}`", (edit,), "unsafe"))


@check("HL318", "D", needs_stages=True)
def non_numeric_user(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """The final stage's effective USER is a name, not a numeric UID (not for Windows images,
    whose accounts are names: Kubernetes checks them with `runAsUserName`)."""
    final = df.final_stage
    users = _users(df, final) if final is not None else []
    if not users or _windows(df, final):
        return
    _stage, ins, user = users[-1]
    if user is None or user.isdigit() or _is_root(user):
        return
    words = ins.words()
    span = words[0][1] if words else ins.args_span
    yield Violation(span, f"`USER {ins.args.strip()}` names a user; Kubernetes `runAsNonRoot` can "
                          "only verify a numeric UID: create the user with a fixed UID and write "
                          "`USER <uid>`")
