"""Resolve a run's image references once, in parallel, through the cache.

The engine gathers `Query`s from every file, `resolve()` answers them (cache first, then the
registry, many at a time), and the checks read the answers from the `Resolutions` they get in
their rule context. A reference that cannot be resolved is not a finding: it is kept in
`Resolutions.errors` (reference -> message) for the report.
"""
from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor
from ..model.record import field, record
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, NamedTuple, Optional, Tuple

from ..model.image import ImageRef
from .cache import Cache
from .errors import NotFound, RegistryError
from .names import Repo, repo_of

if TYPE_CHECKING:
    from .client import Client

WORKERS = 16
VERSION_BUDGET = 4  # candidate tags looked up per level of precision (1.2.3, 1.2, 1)
_VERSION = re.compile(r"v?\d+(?:\.\d+){0,3}")


class Query(NamedTuple):
    """`tag`: the digest a tag points at (with an index's platforms when `children`);
    `version`: the most specific version tag equal to `latest`; `digest`: does it exist."""

    kind: str
    repo: Repo
    ref: str = ""
    children: bool = False


@record(frozen=True)
class TagInfo:
    digest: str
    index: bool
    children: Optional[Dict[str, str]] = None  # platform -> digest, when fetched


@record(frozen=True)
class VersionInfo:
    tag: str  # the version tag, or "latest" when none matched
    digest: str
    index: bool
    children: Optional[Dict[str, str]] = None


def queries_for(ref: ImageRef, platform: Optional[str], pin: bool, check_digest: bool,
                check_outdated: bool) -> List[Query]:
    """What the enabled rules need to know about one reference."""
    if ref.variable or ref.is_scratch:
        return []
    repo = repo_of(ref)
    out: List[Query] = []
    if ref.digest is None:
        if pin:
            if ref.tag in (None, "latest"):
                out.append(Query("version", repo, "", bool(platform)))
            else:
                out.append(Query("tag", repo, ref.tag, bool(platform)))
        return out
    if check_digest:
        out.append(Query("digest", repo, ref.digest))
    if check_outdated and ref.tag:
        out.append(Query("tag", repo, ref.tag, True))
    return out


def child_for(children: Dict[str, str], platform: str) -> Optional[str]:
    """The manifest digest for `os/arch[/variant]` in an index (`linux/arm64` = `linux/arm64/v8`)."""
    p = platform.strip().lower()
    if p in children:
        return children[p]
    parts = p.split("/")
    for key, digest in children.items():
        k = key.lower().split("/")
        if k[:2] == parts[:2] and (len(parts) == 2 or len(k) == 2 or k[2:] == parts[2:]):
            return digest
    return None


def ref_key(ref: ImageRef) -> str:
    """How an unresolved reference is named in messages (as written)."""
    return ref.raw


@record
class Resolutions:
    """The answers of one run, read by the online rules and the resolver fixes."""

    tags: Dict[Tuple[Repo, str], TagInfo] = field(default_factory=dict)
    versions: Dict[Repo, VersionInfo] = field(default_factory=dict)
    digests: Dict[Tuple[Repo, str], bool] = field(default_factory=dict)
    errors: Dict[str, str] = field(default_factory=dict)  # reference as written -> message
    requests: int = 0

    def pin(self, ref: ImageRef, platform: Optional[str] = None) -> Optional[Tuple[str, str]]:
        """(tag, digest) to write for an unpinned reference; None when unknown."""
        repo = repo_of(ref)
        if ref.tag in (None, "latest"):
            v = self.versions.get(repo)
            if v is None:
                return None
            tag, digest, index, children = v.tag, v.digest, v.index, v.children
        else:
            info = self.tags.get((repo, ref.tag))
            if info is None:
                return None
            tag, digest, index, children = ref.tag, info.digest, info.index, info.children
        if platform and index:
            child = child_for(children, platform) if children else None
            if child is None:
                return None
            digest = child
        return tag, digest

    def digest_exists(self, ref: ImageRef) -> Optional[bool]:
        return self.digests.get((repo_of(ref), ref.digest or ""))

    def current(self, ref: ImageRef) -> Optional[TagInfo]:
        return self.tags.get((repo_of(ref), ref.tag or ""))


class Resolver:
    """Answers queries from the cache, and the rest through a registry client, made (and the
    HTTP and TLS stacks imported) only when some answer is not cached."""

    def __init__(self, make_client: Callable[[], "Client"], cache: Optional[Cache]) -> None:
        self.make_client, self.cache = make_client, cache
        self.client: Optional["Client"] = None

    def resolve(self, queries: Iterable[Tuple[Query, str]], progress=None) -> Resolutions:
        """Answer (query, reference as written) pairs: cache first, then the registry in parallel;
        `progress` (`hardenlint.progress.Progress`) counts the registry lookups done."""
        out = Resolutions()
        wanted: Dict[Query, List[str]] = {}
        for q, raw in queries:
            if q.kind == "tag" and not q.children and Query("tag", q.repo, q.ref, True) in wanted:
                q = Query("tag", q.repo, q.ref, True)
            wanted.setdefault(q, []).append(raw)
        for q in [q for q in wanted if q.kind == "tag" and q.children]:  # one query per tag
            plain = Query("tag", q.repo, q.ref, False)
            if plain in wanted:
                wanted[q].extend(wanted.pop(plain))
        todo = [q for q in wanted if not self._from_cache(q, out)]
        if todo:
            self.client = self.make_client()
            if progress is not None:
                progress.phase("registry lookups", len(todo))
            with ThreadPoolExecutor(max_workers=min(WORKERS, len(todo))) as pool:
                for q, answer in zip(todo, pool.map(self._lookup, todo)):
                    if progress is not None:
                        progress.advance()
                    if isinstance(answer, str):
                        for raw in wanted[q]:
                            out.errors.setdefault(raw, answer)
                    else:
                        self._store(q, answer, out, save=True)
            if self.cache is not None:
                self.cache.save()
            out.requests = self.client.requests
            self.client.close()
        return out

    # -- cache ----------------------------------------------------------------------------------
    @staticmethod
    def _key(q: Query) -> str:
        return f"{q.repo}@{q.ref}" if q.kind == "digest" else f"{q.repo}:{q.ref}" if q.kind == "tag" else str(q.repo)

    def _from_cache(self, q: Query, out: Resolutions) -> bool:
        if self.cache is None:
            return False
        section = {"tag": "tags", "version": "versions", "digest": "digests"}[q.kind]
        entry = self.cache.get(section, self._key(q))
        if entry is None:
            return False
        if q.kind == "tag":
            if q.children and entry.get("index") and entry.get("children") is None:
                return False
            answer = TagInfo(entry["digest"], bool(entry.get("index")), entry.get("children"))
        elif q.kind == "version":
            if q.children and entry.get("index") and entry.get("children") is None:
                return False
            answer = VersionInfo(entry["tag"], entry["digest"], bool(entry.get("index")), entry.get("children"))
        else:
            answer = True
        self._store(q, answer, out, save=False)
        return True

    def _store(self, q: Query, answer, out: Resolutions, save: bool) -> None:
        if q.kind == "tag":
            out.tags[(q.repo, q.ref)] = answer
            entry = {"digest": answer.digest, "index": answer.index, "children": answer.children}
            section = "tags"
        elif q.kind == "version":
            out.versions[q.repo] = answer
            entry = {"tag": answer.tag, "digest": answer.digest, "index": answer.index, "children": answer.children}
            section = "versions"
        else:
            out.digests[(q.repo, q.ref)] = answer
            if not answer:
                return  # a missing digest may be pushed later: only existence is kept
            entry, section = {}, "digests"
        if save and self.cache is not None:
            self.cache.put(section, self._key(q), entry)

    # -- lookups --------------------------------------------------------------------------------
    def _lookup(self, q: Query):
        """The answer to one query, or an error message."""
        try:
            if q.kind == "digest":
                try:
                    self.client.manifest_head(q.repo, q.ref)
                    return True
                except NotFound:
                    return False
            if q.kind == "tag":
                return self._tag(q.repo, q.ref, q.children)
            return self._version(q.repo, q.children)
        except RegistryError as e:
            return str(e)
        except Exception as e:  # a bad answer from a registry must not stop the run
            return f"{q.repo}: unexpected answer from the registry ({type(e).__name__})"

    def _tag(self, repo: Repo, tag: str, children: bool) -> TagInfo:
        from .client import INDEX_TYPES, platform_children

        digest, media = self.client.manifest_head(repo, tag)
        index = media in INDEX_TYPES
        if index and children:
            got, media, body = self.client.manifest_get(repo, digest)
            return TagInfo(got, True, platform_children(body))
        return TagInfo(digest, index, None if index else {})

    def _version(self, repo: Repo, children: bool) -> VersionInfo:
        latest = self._tag(repo, "latest", children)
        found = functools.partial(VersionInfo, digest=latest.digest, index=latest.index, children=latest.children)
        try:
            tags = self.client.tags(repo)
        except RegistryError:
            tags = []
        for tag in version_candidates(tags):
            try:
                digest, _ = self.client.manifest_head(repo, tag)
            except NotFound:
                continue
            if digest == latest.digest:
                return found(tag)
        return found("latest")


def version_candidates(tags: Iterable[str]) -> List[str]:
    """Version tags to compare with `latest`, most specific first: the VERSION_BUDGET highest
    `x.y.z` tags, then `x.y`, then `x` (a leading `v` allowed)."""
    levels: Dict[int, List[Tuple[Tuple[int, ...], str]]] = {}
    for t in tags:
        if _VERSION.fullmatch(t):
            nums = tuple(int(n) for n in t.lstrip("v").split("."))
            levels.setdefault(len(nums), []).append((nums, t))
    out: List[str] = []
    for n in sorted(levels, reverse=True):
        out.extend(t for _, t in sorted(levels[n], reverse=True)[:VERSION_BUDGET])
    return out
