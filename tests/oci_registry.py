"""A real registry for the resolver tests: Debian's `docker-registry` (the CNCF distribution
registry) on 127.0.0.1, images pushed through its HTTP API, and the pieces around it that the
tests need: an htpasswd file, a token server (for `auth: token`) with a test certificate, and a
proxy that injects faults (429 with Retry-After, a lying `Docker-Content-Digest`).
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Dict, List, Optional, Tuple

REGISTRY_BIN = "/usr/bin/docker-registry"
PACKAGE = "docker-registry"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def registry_available() -> bool:
    return os.access(REGISTRY_BIN, os.X_OK)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Registry:
    """A `docker-registry serve` process with a config written here; stopped by `stop()`."""

    def __init__(self, folder: Path, auth: Optional[dict] = None, tls: Optional[Tuple[str, str]] = None) -> None:
        self.folder = folder
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.scheme = "https" if tls else "http"
        self.push_auth: Optional[str] = None  # Authorization header for pushes
        http_cfg = {"addr": self.host, "secret": "test-only-secret"}
        if tls:
            http_cfg["tls"] = {"certificate": tls[0], "key": tls[1]}
        config = {
            "version": 0.1,
            "log": {"level": "error", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(folder / "data")}, "delete": {"enabled": True}},
            "http": http_cfg,
        }
        if auth:
            config["auth"] = auth
        cfg = folder / "config.yml"
        cfg.write_text(json.dumps(config))  # JSON is YAML
        self.log = open(folder / "registry.log", "wb")
        self.proc = subprocess.Popen([REGISTRY_BIN, "serve", str(cfg)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"docker-registry did not start: {(folder / 'registry.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    # -- pushing through the HTTP API -------------------------------------------------------------
    def _conn(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            import ssl

            ctx = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE"))
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10, context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def call(self, method: str, path: str, body: bytes = b"", headers: Optional[Dict[str, str]] = None,
             scope: str = "") -> Tuple[int, Dict[str, str], bytes]:
        headers = dict(headers or {})
        auth = self.push_auth(scope) if callable(self.push_auth) else self.push_auth
        if auth:
            headers["Authorization"] = auth
        conn = self._conn()
        try:
            conn.request(method, path, body=body or None, headers=headers)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def push_blob(self, repo: str, data: bytes) -> str:
        digest = sha256(data)
        scope = f"repository:{repo}:pull,push"
        status, headers, body = self.call("POST", f"/v2/{repo}/blobs/uploads/", scope=scope)
        assert status == 202, (status, body)
        loc = urllib.parse.urlsplit(headers["location"])
        query = (loc.query + "&" if loc.query else "") + urllib.parse.urlencode({"digest": digest})
        status, _, body = self.call("PUT", f"{loc.path}?{query}", data,
                                    {"Content-Type": "application/octet-stream"}, scope=scope)
        assert status == 201, (status, body)
        return digest

    def push_manifest(self, repo: str, ref: str, body: bytes, media_type: str) -> str:
        status, headers, resp = self.call("PUT", f"/v2/{repo}/manifests/{ref}", body, {"Content-Type": media_type},
                                          scope=f"repository:{repo}:pull,push")
        assert status == 201, (status, resp)
        assert headers.get("docker-content-digest") == sha256(body)
        return sha256(body)

    def push_image(self, repo: str, tags: List[str], seed: str, arch: str = "amd64",
                   media_type: str = OCI_MANIFEST) -> str:
        """A single-platform image (config + one layer) under every tag; returns its digest."""
        config = json.dumps({"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
                             "config": {"Labels": {"seed": seed}}}).encode()
        layer = f"layer {seed} {arch}".encode()
        cfg_type = ("application/vnd.oci.image.config.v1+json" if media_type == OCI_MANIFEST
                    else "application/vnd.docker.container.image.v1+json")
        layer_type = ("application/vnd.oci.image.layer.v1.tar+gzip" if media_type == OCI_MANIFEST
                      else "application/vnd.docker.image.rootfs.diff.tar.gzip")
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": media_type,
            "config": {"mediaType": cfg_type, "digest": self.push_blob(repo, config), "size": len(config)},
            "layers": [{"mediaType": layer_type, "digest": self.push_blob(repo, layer), "size": len(layer)}],
        }).encode()
        digest = sha256(manifest)
        for tag in tags or [digest]:
            self.push_manifest(repo, tag, manifest, media_type)
        return digest

    def push_index(self, repo: str, tags: List[str], seed: str) -> Tuple[str, Dict[str, str]]:
        """A two-platform index (linux/amd64, linux/arm64/v8) under every tag: (index digest,
        platform -> manifest digest)."""
        children: Dict[str, str] = {}
        entries = []
        for arch, variant in (("amd64", None), ("arm64", "v8")):
            d = self.push_image(repo, [], seed, arch)
            platform = {"architecture": arch, "os": "linux", **({"variant": variant} if variant else {})}
            children["linux/" + arch + (f"/{variant}" if variant else "")] = d
            size = len(self.call("GET", f"/v2/{repo}/manifests/{d}", headers={"Accept": OCI_MANIFEST},
                                 scope=f"repository:{repo}:pull")[2])
            entries.append({"mediaType": OCI_MANIFEST, "digest": d, "size": size, "platform": platform})
        index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode()
        for tag in tags:
            self.push_manifest(repo, tag, index, OCI_INDEX)
        return sha256(index), children


def htpasswd_file(folder: Path, user: str, password: str) -> Path:
    """An htpasswd file with a bcrypt entry (registry requires bcrypt), by apache2-utils' htpasswd."""
    path = folder / "htpasswd"
    subprocess.run(["htpasswd", "-Bbc", str(path), user, password], check=True, capture_output=True)
    return path


# -- token auth --------------------------------------------------------------------------------

def make_cert(folder: Path) -> Tuple[str, str]:
    """A self-signed RSA certificate for 127.0.0.1 (TLS and token signing): (cert, key) paths."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return str(cert), str(key)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(key: str) -> str:
    """The `kid` distribution 2.x (libtrust) derives from a public key: sha256 of its DER
    SubjectPublicKeyInfo, first 30 bytes, base32 in groups of four joined by `:`."""
    der = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, len(s), 4))


class TokenServer:
    """A token endpoint as Docker Hub's: `GET /token?service=&scope=` with Basic auth, answering a
    JWT (RS256, signed by the test key the registry trusts) granting the requested scope."""

    def __init__(self, key: str, users: Dict[str, str], service: str, issuer: str) -> None:
        self.key, self.users, self.service, self.issuer = key, users, service, issuer
        self.kid = libtrust_key_id(key)
        self.requests: List[Dict[str, str]] = []
        self.anonymous = False  # True: grant pull tokens without credentials (as Docker Hub does)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_GET(self):
                q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                server.requests.append(q)
                user = server.check(self.headers.get("Authorization", ""))
                if user is None and server.anonymous and not self.headers.get("Authorization"):
                    user = ""
                if user is None:
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps({"token": server.token(user, q.get("scope", "")), "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.realm = f"http://127.0.0.1:{self.port}/token"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def check(self, header: str) -> Optional[str]:
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user if self.users.get(user) == password else None

    def token(self, user: str, scope: str) -> str:
        access = []
        for s in scope.split(" "):
            parts = s.split(":")
            if len(parts) == 3:
                access.append({"type": parts[0], "name": parts[1], "actions": parts[2].split(",")})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "kid": self.kid}
        claims = {"iss": self.issuer, "sub": user, "aud": self.service, "exp": now + 300, "nbf": now - 10,
                  "iat": now, "jti": os.urandom(8).hex(), "access": access}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=signing_input.encode(),
                             check=True, capture_output=True).stdout
        return f"{signing_input}.{_b64url(sig)}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- a proxy in front of the registry that misbehaves on request ---------------------------------

class FaultProxy:
    """Forwards to `upstream` (host:port); `faults` says what to do to matching requests:
    - ("429", n, retry_after): answer the first n requests 429 with that Retry-After;
    - ("lie", digest): replace Docker-Content-Digest in GET answers, drop it from HEAD answers;
    - ("paginate", n): answer tag lists in pages of n with a `Link` to the next page, as Docker Hub
      and distribution 3 do (Debian's 2.8 registry ignores `?n=`)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.faults: List[tuple] = []
        self.seen: List[Tuple[str, str, float]] = []
        self.clients: List[Tuple[str, int]] = []  # client address of each request (connection reuse)
        self.proxy_auth: List[str] = []  # Proxy-Authorization headers received
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _do(self):
                if self.headers.get("Proxy-Authorization"):
                    proxy.proxy_auth.append(self.headers["Proxy-Authorization"])
                if "://" in self.path:  # used as a forward proxy: absolute URL
                    parts = urllib.parse.urlsplit(self.path)
                    self.path = parts.path + (f"?{parts.query}" if parts.query else "")
                proxy.seen.append((self.command, self.path, time.time()))
                proxy.clients.append(self.client_address)
                for i, fault in enumerate(proxy.faults):
                    if fault[0] == "429" and fault[1] > 0:
                        proxy.faults[i] = ("429", fault[1] - 1, fault[2])
                        self.send_response(429)
                        self.send_header("Retry-After", str(fault[2]))
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                conn = http.client.HTTPConnection(proxy.upstream, timeout=10)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "proxy-authorization")}
                path, _, query = self.path.partition("?")
                conn.request(self.command, path if path.endswith("/tags/list") else self.path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                self.send_response(resp.status)
                lie = next((f for f in proxy.faults if f[0] == "lie"), None)
                page = next((f for f in proxy.faults if f[0] == "paginate"), None)
                if page and path.endswith("/tags/list") and resp.status == 200:
                    data = json.loads(body)
                    q = dict(urllib.parse.parse_qsl(query))
                    tags = sorted(data["tags"])
                    start = tags.index(q["last"]) + 1 if q.get("last") in tags else 0
                    n = page[1]
                    data["tags"] = tags[start:start + n]
                    body = json.dumps(data).encode()
                    if start + n < len(tags):
                        nxt = urllib.parse.urlencode({"n": n, "last": data["tags"][-1]})
                        self.send_header("Link", f'<{path}?{nxt}>; rel="next"')
                for k, v in resp.getheaders():
                    if k.lower() in ("connection", "transfer-encoding", "content-length"):
                        continue
                    if lie and k.lower() == "docker-content-digest":
                        if self.command == "HEAD":
                            continue
                        v = lie[1]
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = _do

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def which(name: str) -> bool:
    return shutil.which(name) is not None
