"""Dockerfile image provenance: HL101-HL107, and the online HL109 and HL208 (know exactly what runs)."""
from __future__ import annotations

import re

from ... import lazyre
from ...knowledge import images
from ...knowledge.verification import insecure_command, insecure_env, judges_env
from ...model.dockerfile import Dockerfile, Instruction, Stage
from ...model.findings import Edit, Fix, Span, Violation
from ...model.image import ImageRef, parse_image
from ...model.record import record
from ...registry import RuleContext, check
from ..pinning import digest_outdated, digest_unknown, pin_fix
from ._shell import SHELLS, pipeline_before
from ._util import commands, delete_instruction, env_words, word_spans

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator, List, Optional, Tuple


@record(frozen=True)
class ImageUse:
    """An external image a build pulls, where it is written, and its `--platform` if literal."""

    ref: ImageRef
    span: Span
    platform: Optional[str]
    stage: Stage
    instruction: Instruction


def image_uses(df: Dockerfile) -> List[ImageUse]:
    """Every external image the build pulls: FROM images (not stage names, not `scratch`,
    ARG defaults resolved), `COPY --from=<image>` and `RUN --mount=from=<image>` sources.
    Worked out once per file (HL101-HL104 and the online rules all ask)."""
    found = df.__dict__.get("_image_uses")
    if found is None:
        found = df.__dict__["_image_uses"] = list(_image_uses(df))
    return found


def _image_uses(df: Dockerfile) -> Iterator[ImageUse]:
    names = {s.name for s in df.stages if s.name}
    for stage in df.stages:
        if stage.base_stage is None and stage.image is not None:
            platform = stage.platform if stage.platform and "$" not in stage.platform else None
            yield ImageUse(stage.image, stage.image_span, platform, stage, stage.from_instruction)
        for ins in stage.instructions[1:]:
            for value, span in _from_flags(ins):
                value, ok = df.resolve_word(value, stage, ins)
                if not ok or value.lower() in names or value.isdigit():
                    continue
                ref = parse_image(value)
                if ref is not None:
                    yield ImageUse(ref, span, None, stage, ins)


def _from_flags(ins: Instruction) -> Iterator[Tuple[str, Span]]:
    """(`from` value, flag span) of `COPY --from=` and of each `RUN --mount=...,from=...`."""
    if ins.keyword == "COPY":
        f = ins.flag("from")
        if f is not None and f.value:
            yield f.value, f.span
    elif ins.keyword == "RUN":
        for f in ins.flags:
            if f.name == "mount" and f.value:
                for part in f.value.split(","):
                    k, _, v = part.partition("=")
                    if k.strip().lower() == "from" and v.strip():
                        yield v.strip(), f.span


def _written_at(df: Dockerfile, use: ImageUse) -> Optional[Span]:
    """Where the reference's text is written: the image itself, or the `ARG` default that a
    `FROM $BASE` (or `--from=$IMG`) took it from; None when it is built from several parts."""
    text = df.source.text
    if use.ref.raw in text[use.span.start:use.span.end]:
        return use.span
    written = text[use.span.start:use.span.end]
    if use.instruction.keyword == "RUN" or use.instruction.keyword == "COPY":
        written = written.rsplit("from=", 1)[-1].split(",", 1)[0]
    m = re.fullmatch(r"[\"']?\$(?:\{(\w+)\}|(\w+))[\"']?", written.strip())
    if not m:
        return None
    name = m.group(1) or m.group(2)
    first_from = df.stages[0].from_instruction.span.start if df.stages else 0
    scopes = [[i for i in df.instructions if i.span.start < first_from]]
    if use.instruction is not use.stage.from_instruction:
        scopes.insert(0, [i for i in use.stage.instructions[1:] if i.span.start < use.instruction.span.start])
    for scope in scopes:
        for ins in reversed(scope):
            if ins.keyword != "ARG":
                continue
            for arg, value, start, end, _k in env_words(ins):
                if arg == name and value is not None:
                    return ins.span_of(start, end) if value == use.ref.raw else None
    return None


def _judge(df: Dockerfile, judge, ctx: Optional[RuleContext] = None) -> Iterable[Violation]:
    """Violations for the image uses `judge` has a message for; with `ctx` (HL101-HL103) and
    `--resolve`, each carries the pin fix."""
    for use in image_uses(df):
        ref = use.ref
        if ref.is_scratch or ref.variable:
            continue
        message = judge(ref)
        if message:
            fix = None
            if ctx is not None and ctx.resolved is not None:
                target = _written_at(df, use)
                if target is not None:
                    fix = pin_fix(df.source.text, target, ref, use.platform, ctx.resolved)
            yield Violation(use.span, message, fix)


@check("HL101", "D")
def image_tag_missing(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """FROM / COPY --from / RUN --mount=from images without a tag or digest."""
    return _judge(df, images.missing_tag, ctx)


@check("HL102", "D")
def image_tag_latest(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """FROM / COPY --from / RUN --mount=from images tagged `latest`."""
    return _judge(df, images.latest_tag, ctx)


@check("HL103", "D")
def image_not_pinned_by_digest(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """FROM / COPY --from / RUN --mount=from images without `@sha256:`."""
    return _judge(df, images.not_digest_pinned, ctx)


@check("HL104", "D")
def image_from_untrusted_registry(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """Images from registries outside `trusted-registries` (nothing when that is empty)."""
    if not ctx.trusted_registries:
        return ()
    return _judge(df, lambda ref: images.untrusted_registry(ref, ctx.trusted_registries))


def _online(df: Dockerfile, ctx: RuleContext, judge) -> Iterable[Violation]:
    if ctx.resolved is None:  # online rules run only with --resolve
        return
    for use in image_uses(df):
        if use.ref.digest is None or use.ref.variable:
            continue
        target = _written_at(df, use)
        if target is not None:
            v = judge(use, target)
            if v is not None:
                yield v


@check("HL109", "D")
def image_digest_unknown(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """(online) A pinned digest the registry does not have for that repository."""
    return _online(df, ctx, lambda use, target: digest_unknown(
        df.source.text, df.source.index, target, use.ref, ctx.resolved))


@check("HL208", "D")
def image_digest_outdated(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """(online) `ref:tag@digest` whose tag now points at another image; unsafe fix: the new digest."""
    return _online(df, ctx, lambda use, target: digest_outdated(
        df.source.text, df.source.index, target, use.ref, use.platform, ctx.resolved))


_URL = lazyre.compile(r"(?i)(https?|git|ssh)://|git@[^:/\s]+:")
_COMMIT = lazyre.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def _shown(url: str) -> str:
    """The URL for a message, without any `user:password@` part."""
    return re.sub(r"^([a-zA-Z][\w+.-]*://)[^/@\s]*@", r"\1***@", url)


def _is_git(url: str) -> bool:
    base = url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return url.lower().startswith(("git@", "git://", "ssh://")) or base.endswith(".git")


def _git_ref(url: str) -> str:
    """The ref a git URL pins: `#ref[:subdir]` or `?ref=ref` (BuildKit's two syntaxes)."""
    if "#" in url:
        return url.split("#", 1)[1].split(":", 1)[0]
    m = re.search(r"[?&](?:ref|tag|branch|commit)=([^&]+)", url)
    return m.group(1) if m else ""


@check("HL105", "D")
def add_remote_without_checksum(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """`ADD <url>` without `--checksum=`, and `ADD <git url>` not pinned to a commit."""
    for ins in df.instructions:
        if ins.keyword != "ADD":
            continue
        words = word_spans(ins)
        checksum = ins.flag("checksum")
        for value, span in words[:-1]:
            if not _URL.match(value):
                continue
            if _is_git(value):
                ref = _git_ref(value)
                if checksum is None and not _COMMIT.fullmatch(ref.lower()):
                    pin = f"ref `{ref}`" if ref else "the default branch"
                    yield Violation(span, f"`ADD {_shown(value)}` fetches {pin}, which can move; pin a full "
                                          "commit SHA (`#<sha>`) or add `--checksum=<commit sha>`")
            elif checksum is None:
                yield Violation(span, f"`ADD {_shown(value)}` downloads without `--checksum=sha256:...`; the "
                                      "content can change or be tampered with unnoticed")


_DOWNLOADERS = {"curl", "wget"}
_INTERPRETERS = lazyre.compile(r"(?:python[0-9.]*|perl|ruby|node|php)")
_SUBST_DOWNLOAD = lazyre.compile(r"(?:\$\(|`|<\()\s*(?:\S*/)?(?:curl|wget)\b")


def _runs_stdin(cmd) -> bool:
    """Does this shell / interpreter execute what it reads on stdin (`sh`, `bash -s --`,
    `python3 -`), rather than a script argument (`sh -c ...`, `python3 -m json.tool`, `perl x.pl`)?"""
    shell = cmd.name in SHELLS
    for w in cmd.words[cmd.name_index() + 1:]:
        v = w.value
        if v in ("-", "/dev/stdin", "--"):
            return True
        if v.startswith("-") and not v.startswith("--"):
            letters = v[1:]
            if shell and "s" in letters:
                return True
            if (shell and "c" in letters) or (not shell and letters[:1] in ("c", "m", "e", "E", "r")):
                return False
            continue
        if v.startswith("--"):
            continue
        return False  # a script file or other operand
    return True


@check("HL106", "D")
def remote_script_piped_to_shell(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """`curl ... | sh`, `wget -O- ... | bash`, `bash <(curl ...)`, `sh -c "$(curl ...)"`."""
    for _stage, _ins, sc, cmd in commands(df):
        name = cmd.name
        if not (name in SHELLS or _INTERPRETERS.fullmatch(name) or name in ("eval", "source", ".")):
            continue
        upstream = [c for c in pipeline_before(cmd) if c.name in _DOWNLOADERS]
        if upstream and _runs_stdin(cmd):
            first = upstream[-1]
            yield Violation(sc.span(first.words[0].start, cmd.words[cmd.name_index()].end),
                            f"`{first.name} ... | {name}` runs a downloaded script without verifying "
                            "it; download it to a file, check its sha256 or signature, then run it")
            continue
        for w in cmd.words[cmd.name_index() + 1:]:
            m = _SUBST_DOWNLOAD.search(w.value)
            if m:
                tool = "wget" if "wget" in m.group() else "curl"
                yield Violation(sc.word_span(w), f"`{name}` runs a script fetched by `{tool}` without "
                                "verifying it; download it to a file, check its sha256 or signature, "
                                "then run it")
                break


def _read_value(df: Dockerfile, ins, span: Span, name: str, value: Optional[str]) -> Optional[str]:
    """The value of an ENV/ARG assignment as the build's programs read it: the raw text after
    `NAME=` (or after the name, legacy `ENV NAME value`), with variables expanded and exactly
    one round of quotes and escapes removed, as BuildKit does."""
    if value is None:
        return None
    raw = df.source.text[span.start:span.end]
    if "\n" in raw:  # written across a continuation: the joined words are already unquoted
        return value
    raw = raw[len(name):].lstrip() if not raw[len(name):].startswith("=") else raw[len(name) + 1:]
    return df.resolve_word(raw, df.stage_of(ins), ins)[0]


def _insecure_env_findings(df: Dockerfile) -> Iterator[Violation]:
    for ins in df.instructions:
        if ins.keyword not in ("ENV", "ARG"):
            continue
        pairs = env_words(ins)
        for name, value, start, end, k in pairs:
            if not judges_env(name):
                continue
            span = ins.span_of(start, end)
            value = _read_value(df, ins, span, name, value)
            msg = insecure_env(name, value) if value is not None else None
            if not msg:
                continue
            if len(pairs) == 1:
                edits = (delete_instruction(df, ins),)
            else:  # drop this assignment and the space before it (or after it, when first)
                words = ins.words()
                start = words[k - 1][1].end if k > 0 else span.start
                end = words[k + 1][1].start if k == 0 else span.end
                edits = (Edit(start, end, ""),)
            yield Violation(span, f"{ins.keyword} {msg}",
                            Fix(f"remove `{name}`", edits, "unsafe"))


@check("HL107", "D")
def verification_disabled(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """TLS / signature checks turned off in RUN commands or by ENV / ARG settings."""
    yield from _insecure_env_findings(df)
    for _stage, _ins, sc, cmd in commands(df):
        for hit in insecure_command(cmd.argv, cmd.name_index()):
            span = sc.word_span(cmd.words[hit.start], cmd.words[hit.end - 1])
            fix = None
            if hit.replacement is not None and sc.editable:
                edit = sc.replace_words(cmd, hit.start, hit.end, hit.replacement)
                removed = " ".join(w.value for w in cmd.words[hit.start:hit.end])
                title = hit.title or ("turn verification back on" if hit.replacement else f"remove `{removed}`")
                fix = Fix(title, (edit,), "unsafe")
            yield Violation(span, hit.message, fix)
