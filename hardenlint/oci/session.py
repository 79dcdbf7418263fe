"""`--resolve` for one run: gather the image references of every file, resolve them once (cache,
then the registry, in parallel), and hand the answers to the linter, whose rule contexts carry
them to the online rules and the resolver fixes. Called before any worker process is started, so
forked workers inherit the answers and make no request themselves."""
from __future__ import annotations

from typing import Iterable, Iterator, List, Optional, Tuple

from ..engine import Linter, parse
from ..model.image import ImageRef
from ..model.parsed import Parsed
from ..source import SourceError, SourceFile, read_source
from .cache import Cache
from .resolve import Query, Resolutions, Resolver, queries_for

PIN_RULES = ("HL101", "HL102", "HL103")
KEEP_PARSED = 5000  # parsed files kept for the lint that follows (beyond that, parsed again)


def references(parsed: Parsed) -> Iterator[Tuple[ImageRef, Optional[str]]]:
    """(reference, literal --platform or None) of every image a parsed file pulls."""
    if parsed.model is None:
        return
    if parsed.kind == "dockerfile":
        if parsed.errors:
            return
        from ..checks.dockerfile.provenance import image_uses

        for use in image_uses(parsed.model):
            yield use.ref, use.platform
    else:
        for c in parsed.model.containers:
            if c.image is not None:
                yield c.image, None


def gather(linter: Linter, files: Iterable[Tuple[str, str]] = (), sources: Iterable[SourceFile] = (),
           images: Iterable[ImageRef] = ()) -> List[Tuple[Query, str]]:
    """The queries the enabled rules need for these files ((path, kind) pairs), sources and
    images (of objects rendered by kustomize); the parsed files are kept on the linter so the
    lint does not parse them again."""
    from ..engine import display_path

    enabled = linter.enabled
    pin = any(r in enabled for r in PIN_RULES)
    check_digest, check_outdated = "HL109" in enabled, "HL208" in enabled
    out: List[Tuple[Query, str]] = []

    def add(source: SourceFile) -> None:
        try:
            parsed = parse(source, lambda: linter.compose_environment(source))
        except Exception:  # the lint reports it
            return
        if len(linter.preparsed) < KEEP_PARSED:
            linter.preparsed[(source.path, source.text)] = parsed
        for ref, platform in references(parsed):
            out.extend((q, ref.raw) for q in queries_for(ref, platform, pin, check_digest, check_outdated))

    for fs_path, kind in files:
        try:
            add(read_source(fs_path, display_path(fs_path), kind))
        except SourceError:
            continue  # unreadable or undecodable: the lint reports it
    for source in sources:
        add(source)
    for ref in images:
        out.extend((q, ref.raw) for q in queries_for(ref, None, pin, check_digest, check_outdated))
    return out


def resolve(linter: Linter, files: Iterable[Tuple[str, str]] = (), sources: Iterable[SourceFile] = (),
            images: Iterable[ImageRef] = (), progress=None) -> Resolutions:
    """Resolve what the run needs and set it on the linter; `progress`
    (`hardenlint.progress.Progress`) counts the files read and the registry lookups."""
    cfg = linter.config
    if progress is not None:
        files = progress.iterate(files, "finding image references")
    queries = gather(linter, files, sources, images)

    def make_client():
        from .client import Client
        from .credentials import Credentials

        return Client(Credentials(), insecure=cfg.insecure_registries)

    cache = Cache(ttl=cfg.resolve_cache_ttl) if cfg.resolve_cache and queries else None
    linter.resolved = Resolver(make_client, cache).resolve(queries, progress)
    return linter.resolved
