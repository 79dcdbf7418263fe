"""A small OCI Distribution (v2) client on the standard library.

- Manifests: `HEAD /v2/<name>/manifests/<ref>` with an Accept header for the four manifest types,
  the digest read from `Docker-Content-Digest`; `GET` when the body is needed or the header is
  missing, and then the body's sha256 must equal any digest the registry sent (else an error).
- Tags: `GET /v2/<name>/tags/list`, following `Link: <...>; rel="next"`.
- Auth: anonymous first; on a 401 challenge, Bearer tokens from the realm (with the Docker config's
  credential as Basic auth when there is one) or Basic auth. Tokens are kept per repository scope
  in memory only.
- Transport: one keep-alive connection per host and thread, a timeout, bounded retries with
  backoff on 429/5xx and dropped connections (honouring `Retry-After`), `HTTPS_PROXY` /
  `HTTP_PROXY` / `NO_PROXY`. TLS is always verified; plain HTTP only for `insecure` hosts.

Error messages name the registry, repository and status, never a credential or token.
"""
from __future__ import annotations

import base64
import email.utils
import hashlib
import http.client
import json
import re
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from .credentials import Credentials
from .errors import NotFound, RegistryError
from .names import Repo, host_port

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 30.0
USER_AGENT = "hardenlint-resolver"
TAGS_PAGE = 1000  # tags asked for per page (`?n=`); registries answer with a `Link` to the next


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> str:
        return self.headers.get(name, "") or ""


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    """`host` (maybe with a port) matches an entry `name` (any port) or `name:port` (that one)."""
    name = host_port(host, 0)[0]
    return any(p == host or p == name for p in patterns)


class Client:
    def __init__(self, credentials: Optional[Credentials] = None, insecure: Iterable[str] = (),
                 timeout: float = 10.0, retries: int = 3, sleep: Callable[[float], None] = time.sleep) -> None:
        self.credentials = credentials or Credentials()
        self.insecure = tuple(h.lower() for h in insecure)
        self.timeout, self.retries, self.sleep = timeout, retries, sleep
        self._local = threading.local()
        self._lock = threading.Lock()
        self._challenges: Dict[str, Tuple[str, Dict[str, str]]] = {}  # host -> (scheme, params)
        self._tokens: Dict[Tuple[str, str], str] = {}  # (host, scope) -> bearer token
        self._down: Dict[str, str] = {}  # host -> why it cannot be reached (asked once per run)
        self._tls_context: Optional[ssl.SSLContext] = None
        self.requests = 0  # HTTP requests sent (for tests and benchmarks)

    # -- transport --------------------------------------------------------------------------
    @property
    def _tls(self) -> ssl.SSLContext:
        """The verifying TLS context (the system's CAs, or SSL_CERT_FILE), made on first use."""
        with self._lock:
            if self._tls_context is None:
                self._tls_context = ssl.create_default_context()
            return self._tls_context

    def scheme(self, host: str) -> str:
        return "http" if host_matches(host.lower(), self.insecure) else "https"

    def _connection(self, scheme: str, host: str) -> Tuple[http.client.HTTPConnection, Optional[Dict[str, str]]]:
        """A kept-alive connection for (scheme, host) in this thread, and for plain HTTP through a
        proxy the headers that proxy needs (requests then carry absolute URLs), else None."""
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        key = (scheme, host)
        if key in conns:
            return conns[key]
        name, port = host_port(host, 443 if scheme == "https" else 80)
        proxies = urllib.request.getproxies_environment()
        proxy = proxies.get(scheme)
        if proxy and urllib.request.proxy_bypass_environment(name, proxies):
            proxy = None
        absolute: Optional[Dict[str, str]] = None
        if proxy:
            p = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
            phost, pport = p.hostname or "", p.port or 3128
            auth = ({"Proxy-Authorization": _basic(urllib.parse.unquote(p.username), urllib.parse.unquote(p.password or ""))}
                    if p.username else {})
            if scheme == "https":
                conn = http.client.HTTPSConnection(phost, pport, timeout=self.timeout, context=self._tls)
                conn.set_tunnel(name, port, headers=auth)
            else:
                conn, absolute = http.client.HTTPConnection(phost, pport, timeout=self.timeout), auth
        elif scheme == "https":
            conn = http.client.HTTPSConnection(name, port, timeout=self.timeout, context=self._tls)
        else:
            conn = http.client.HTTPConnection(name, port, timeout=self.timeout)
        conns[key] = (conn, absolute)
        return conns[key]

    def _drop(self, scheme: str, host: str) -> None:
        conns = getattr(self._local, "conns", {})
        got = conns.pop((scheme, host), None)
        if got:
            got[0].close()

    def close(self) -> None:
        for conn, _ in getattr(self._local, "conns", {}).values():
            conn.close()
        self._local.conns = {}

    def fetch(self, method: str, url: str, headers: Dict[str, str], what: str) -> Response:
        """One request with retries on 429/5xx and dropped connections."""
        parts = urllib.parse.urlsplit(url)
        scheme, host = parts.scheme, parts.netloc
        if scheme == "http" and not host_matches(host.lower(), self.insecure):
            raise RegistryError(f"{what}: refusing plain HTTP to {host} (allow it with --insecure-registry)")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": USER_AGENT, **headers}
        attempt = 0
        while True:
            down = self._down.get(host)
            if down:
                raise RegistryError(f"{what}: {down}")
            conn, absolute = self._connection(scheme, host)
            try:
                with self._lock:
                    self.requests += 1
                conn.request(method, url if absolute is not None else target,
                             headers=headers if not absolute else {**headers, **absolute})
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException) as e:
                self._drop(scheme, host)
                name_unknown = isinstance(e, socket.gaierror)  # no such host: asking again will not help
                if attempt < self.retries and not name_unknown and not isinstance(e, ssl.SSLCertVerificationError):
                    attempt += 1
                    self.sleep(_backoff(attempt) if attempt > 1 else 0)
                    continue
                with self._lock:
                    self._down.setdefault(host, f"cannot reach {host}: {_reason(e)}")
                raise RegistryError(f"{what}: cannot reach {host}: {_reason(e)}") from None
            if resp.getheader("Connection", "").lower() == "close" or resp.will_close:
                self._drop(scheme, host)
            if resp.status in RETRY_STATUSES and attempt < self.retries:
                attempt += 1
                self.sleep(_retry_after(resp.getheader("Retry-After")) or _backoff(attempt))
                continue
            return Response(resp.status, resp.headers, body)

    # -- auth -------------------------------------------------------------------------------
    def _auth_header(self, host: str, scope: str) -> Optional[str]:
        with self._lock:
            challenge = self._challenges.get(host)
            token = self._tokens.get((host, scope))
        if challenge is None:
            return None
        if challenge[0] == "basic":
            cred = self.credentials.get(host)
            return _basic(cred.username, cred.secret) if cred else None
        if token is None:
            token = self._token(host, scope, challenge[1])
        return f"Bearer {token}"

    def _token(self, host: str, scope: str, params: Dict[str, str]) -> str:
        realm = params.get("realm", "")
        what = f"token for {host}"
        if not realm.startswith(("https://", "http://")):
            raise RegistryError(f"{what}: the registry's Bearer challenge has no usable realm")
        query = {"service": params["service"]} if params.get("service") else {}
        query["scope"] = scope
        cred = self.credentials.get(host)
        headers: Dict[str, str] = {}
        if cred and cred.username == "<token>":  # identity token: OAuth2 refresh grant
            form = dict(query, grant_type="refresh_token", refresh_token=cred.secret, client_id="hardenlint")
            resp = self._post_form(realm, form, what)
        else:
            if cred:
                headers["Authorization"] = _basic(cred.username, cred.secret)
            sep = "&" if "?" in realm else "?"
            resp = self.fetch("GET", realm + sep + urllib.parse.urlencode(query), headers, what)
        if resp.status in (401, 403):
            raise RegistryError(f"{what}: access denied by the token service (HTTP {resp.status})"
                                + ("" if cred else "; no credentials for it in the Docker config"))
        if resp.status != 200:
            raise RegistryError(f"{what}: token service answered HTTP {resp.status}")
        try:
            data = json.loads(resp.body.decode("utf-8"))
            token = data.get("token") or data.get("access_token")
        except (ValueError, UnicodeDecodeError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"{what}: the token service sent no token")
        with self._lock:
            self._tokens[(host, scope)] = token
        return token

    def _post_form(self, url: str, form: Dict[str, str], what: str) -> Response:
        parts = urllib.parse.urlsplit(url)
        scheme, host = parts.scheme, parts.netloc
        if scheme == "http" and not host_matches(host.lower(), self.insecure):
            raise RegistryError(f"{what}: refusing plain HTTP to {host} (allow it with --insecure-registry)")
        conn, absolute = self._connection(scheme, host)
        body = urllib.parse.urlencode(form).encode()
        try:
            conn.request("POST", url if absolute is not None else parts.path + (f"?{parts.query}" if parts.query else ""),
                         body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                             "User-Agent": USER_AGENT, **(absolute or {})})
            resp = conn.getresponse()
            return Response(resp.status, resp.headers, resp.read())
        except (OSError, http.client.HTTPException) as e:
            self._drop(scheme, host)
            raise RegistryError(f"{what}: cannot reach {host}: {_reason(e)}") from None

    def request(self, method: str, repo: Repo, path: str, what: str, accept: str = "") -> Response:
        """A request to the registry API for `repo`, answering one auth challenge."""
        scope = f"repository:{repo.path}:pull"
        url = f"{self.scheme(repo.host)}://{repo.host}{path}"
        retried = False
        while True:
            headers = {"Accept": accept} if accept else {}
            auth = self._auth_header(repo.host, scope)
            if auth:
                headers["Authorization"] = auth
            resp = self.fetch(method, url, headers, what)
            if resp.status != 401 or retried:
                break
            challenge = _parse_challenge(resp.header("WWW-Authenticate"))
            if challenge is None:
                break
            with self._lock:
                self._challenges[repo.host] = challenge
                self._tokens.pop((repo.host, scope), None)
            if challenge[0] == "basic" and self.credentials.get(repo.host) is None:
                break
            retried = True
        if resp.status == 401:
            has = self.credentials.get(repo.host) is not None
            raise RegistryError(f"{what}: authentication required (HTTP 401)"
                                + ("; the Docker config's credentials were refused" if has
                                   else f"; no credentials for {repo.host} in the Docker config"))
        if resp.status == 403:
            raise RegistryError(f"{what}: access denied (HTTP 403)")
        if resp.status == 404:
            raise NotFound(f"{what}: not found")
        if resp.status == 429:
            raise RegistryError(f"{what}: rate limited (HTTP 429), retries exhausted")
        if resp.status >= 400:
            raise RegistryError(f"{what}: HTTP {resp.status}")
        return resp

    # -- API ----------------------------------------------------------------------------------
    def manifest_head(self, repo: Repo, ref: str) -> Tuple[str, str]:
        """(digest, media type) of a tag or digest; GET and hash when the header is missing."""
        what = f"{repo}:{ref}" if not ref.startswith("sha256:") else f"{repo}@{ref}"
        resp = self.request("HEAD", repo, f"/v2/{repo.path}/manifests/{ref}", what, ACCEPT)
        digest = resp.header("Docker-Content-Digest")
        media = _media_type(resp)
        if not digest.startswith("sha256:"):
            digest, media, _ = self.manifest_get(repo, ref)
        return digest, media

    def manifest_get(self, repo: Repo, ref: str) -> Tuple[str, str, bytes]:
        """(digest, media type, body) of a tag or digest; the digest is the body's own sha256, and
        a registry that claims another one (or a body that is not what a digest asked for) is an
        error."""
        what = f"{repo}:{ref}" if not ref.startswith("sha256:") else f"{repo}@{ref}"
        resp = self.request("GET", repo, f"/v2/{repo.path}/manifests/{ref}", what, ACCEPT)
        actual = "sha256:" + hashlib.sha256(resp.body).hexdigest()
        claimed = resp.header("Docker-Content-Digest")
        if claimed and claimed != actual:
            raise RegistryError(f"{what}: the registry sent digest {claimed} for a manifest whose "
                                f"sha256 is {actual}; not pinning it")
        if ref.startswith("sha256:") and ref != actual:
            raise RegistryError(f"{what}: the registry sent a manifest whose sha256 is {actual}")
        return actual, _media_type(resp), resp.body

    def tags(self, repo: Repo, limit_pages: int = 50) -> List[str]:
        """Every tag of a repository, following `Link` pagination (bounded)."""
        out: List[str] = []
        path = f"/v2/{repo.path}/tags/list?n={TAGS_PAGE}"
        for _ in range(limit_pages):
            resp = self.request("GET", repo, path, f"{repo} tags")
            try:
                data = json.loads(resp.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise RegistryError(f"{repo} tags: the registry sent an unreadable tag list") from None
            out.extend(t for t in (data.get("tags") or []) if isinstance(t, str))
            nxt = _next_link(resp.header("Link"))
            if not nxt:
                break
            parts = urllib.parse.urlsplit(nxt)
            if parts.netloc and parts.netloc != repo.host:
                break  # never follow a link to another host with this repository's credentials
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        return out


def platform_children(body: bytes) -> Dict[str, str]:
    """`os/arch[/variant]` -> manifest digest of an index or manifest list body."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    out: Dict[str, str] = {}
    for m in data.get("manifests") or []:
        p = m.get("platform") or {}
        if not isinstance(p, dict) or not p.get("os") or not p.get("architecture"):
            continue
        key = f"{p['os']}/{p['architecture']}" + (f"/{p['variant']}" if p.get("variant") else "")
        out.setdefault(key, m.get("digest", ""))
    return out


def _media_type(resp: Response) -> str:
    return resp.header("Content-Type").split(";", 1)[0].strip()


def _basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode("utf-8")).decode("ascii")


_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def _parse_challenge(value: str) -> Optional[Tuple[str, Dict[str, str]]]:
    """(`bearer`|`basic`, params) of a WWW-Authenticate header, or None."""
    scheme, _, rest = value.strip().partition(" ")
    scheme = scheme.lower()
    if scheme not in ("bearer", "basic"):
        return None
    params = {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _PARAM.finditer(rest)}
    return scheme, params


def _next_link(value: str) -> Optional[str]:
    for part in value.split(","):
        if 'rel="next"' in part or "rel=next" in part:
            m = re.search(r"<([^>]*)>", part)
            if m:
                return m.group(1)
    return None


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when - time.time(), MAX_RETRY_AFTER))


def _backoff(attempt: int) -> float:
    return min(0.25 * 2 ** (attempt - 1), 4.0)


def _reason(e: BaseException) -> str:
    if isinstance(e, socket.timeout):
        return "timed out"
    if isinstance(e, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({e.verify_message})"
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return type(e).__name__
