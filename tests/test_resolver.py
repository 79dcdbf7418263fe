"""`--resolve` and `hardenlint pin` against a real registry (Debian's docker-registry), with
anonymous, htpasswd Basic and token (Bearer) auth, plus the faults a registry can have."""
from __future__ import annotations

import base64
import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hardenlint import cli, runner
from hardenlint.model.image import parse_image
from hardenlint.oci import client as oci_client
from hardenlint.oci.names import repo_of
from hardenlint.oci.resolve import version_candidates

from .oci_registry import (PACKAGE, FaultProxy, Registry, TokenServer, htpasswd_file, make_cert, registry_available,
                           which)

pytestmark = pytest.mark.skipif(not registry_available(),
                                reason=f"needs /usr/bin/docker-registry (Debian package `{PACKAGE}`)")

PASSWORD = "s3cret-Pa55word-never-printed"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A cache and Docker config of the test's own, no proxy settings from the machine."""
    monkeypatch.setenv("HARDENLINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "docker").mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def reg(tmp_path_factory):
    """An anonymous registry with: lib/app (a two-platform index under 1.2.3, 1.2, 1 and latest,
    an older single-platform 1.2.2), tools/one:2.0 (Docker v2 manifest), solo (latest only)."""
    r = Registry(tmp_path_factory.mktemp("registry"))
    r.index, r.children = r.push_index("lib/app", ["1.2.3", "1.2", "1", "latest", "stable"], "app")
    r.old = r.push_image("lib/app", ["1.2.2"], "old")
    r.one = r.push_image("tools/one", ["2.0"], "one", media_type="application/vnd.docker.distribution.manifest.v2+json")
    r.solo = r.push_image("solo", ["latest", "edge"], "solo")
    yield r
    r.stop()


def hl(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def resolve_args(reg_host="127.0.0.1"):
    return ["--insecure-registry", reg_host]


# -- pinning ----------------------------------------------------------------------------------

def test_fix_pins_dockerfile_compose_and_kubernetes_with_the_registrys_digests(reg, tmp_path, capsys):
    h = reg.host
    (tmp_path / "Dockerfile").write_text(
        f"ARG BASE={h}/lib/app:1.2\n"
        f"FROM $BASE AS build\n"
        f"FROM --platform=linux/arm64 {h}/lib/app:1.2 AS arm\n"
        f"COPY --from={h}/tools/one:2.0 /x /y\n"
        f"RUN --mount=from={h}/solo,target=/s true\n"
        f"FROM {h}/lib/app\n"
        "USER 10001\n")
    (tmp_path / "compose.yaml").write_text(f"services:\n  web:\n    image: \"{h}/lib/app:latest\"  # keep me\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
        f"  initContainers:\n    - name: init\n      image: {h}/tools/one:2.0\n"
        f"  containers:\n    - name: app\n      image: {h}/lib/app:1\n")
    code, out, err = hl(capsys, "check", "--resolve", "--fix", "--select", "HL101,HL102,HL103", *resolve_args(), ".")
    assert code == 0, out + err
    df = (tmp_path / "Dockerfile").read_text()
    assert f"ARG BASE={h}/lib/app:1.2@{reg.index}\n" in df  # the ARG default, with the index digest
    assert f"FROM --platform=linux/arm64 {h}/lib/app:1.2@{reg.children['linux/arm64/v8']} AS arm" in df
    assert f"COPY --from={h}/tools/one:2.0@{reg.one} /x /y" in df
    assert f"RUN --mount=from={h}/solo:latest@{reg.solo},target=/s true" in df  # no version tag: latest@
    assert f"FROM {h}/lib/app:1.2.3@{reg.index}\n" in df  # latest -> the most specific version tag
    assert (tmp_path / "compose.yaml").read_text() == (
        f"services:\n  web:\n    image: \"{h}/lib/app:1.2.3@{reg.index}\"  # keep me\n")
    pod = (tmp_path / "pod.yaml").read_text()
    assert f"image: {h}/tools/one:2.0@{reg.one}\n" in pod and f"image: {h}/lib/app:1@{reg.index}\n" in pod
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    code, out, err = hl(capsys, "check", "--resolve", "--fix", "--select", "HL101,HL102,HL103", *resolve_args(), ".")
    assert code == 0 and {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_pin_command_check_diff_and_second_run(reg, tmp_path, capsys):
    h = reg.host
    (tmp_path / "Dockerfile").write_text(f"FROM {h}/lib/app:1.2.3\n")
    code, out, err = hl(capsys, "pin", "--check", *resolve_args())
    assert code == 1 and "would pin 1 image reference" in err
    code, out, err = hl(capsys, "pin", "--diff", *resolve_args())
    assert code == 1 and f"+FROM {h}/lib/app:1.2.3@{reg.index}" in out
    assert (tmp_path / "Dockerfile").read_text() == f"FROM {h}/lib/app:1.2.3\n"
    code, out, err = hl(capsys, "pin", *resolve_args())
    assert code == 0 and "pinned 1 image reference" in err
    assert (tmp_path / "Dockerfile").read_text() == f"FROM {h}/lib/app:1.2.3@{reg.index}\n"
    assert hl(capsys, "pin", "--check", *resolve_args())[0] == 0
    assert hl(capsys, "pin", *resolve_args())[0] == 0
    assert (tmp_path / "Dockerfile").read_text() == f"FROM {h}/lib/app:1.2.3@{reg.index}\n"


def test_outdated_digest_hl208_and_pin_update(reg, tmp_path, capsys):
    h = reg.host
    first = reg.push_image("moving/app", ["3.1"], "first")
    (tmp_path / "Dockerfile").write_text(f"FROM {h}/moving/app:3.1@{first}\nUSER 1\n")
    args = ["check", "--resolve", "--select", "HL208", "--format", "json", *resolve_args()]
    code, out, err = hl(capsys, *args)
    assert json.loads(out)["findings"] == []  # still current
    second = reg.push_image("moving/app", ["3.1"], "second")  # the tag moves
    code, out, err = hl(capsys, *args, "--no-cache")
    (finding,) = json.loads(out)["findings"]
    assert finding["rule"] == "HL208" and second in finding["message"]
    assert finding["fix"]["applicability"] == "unsafe" and finding["fix"]["edits"][0]["content"] == second
    # the cache still says the old digest: with it, no finding (what --no-cache is for)
    assert hl(capsys, "pin", "--check", *resolve_args())[0] == 0
    assert hl(capsys, "pin", "--check", "--no-cache", *resolve_args())[0] == 1
    code, out, err = hl(capsys, "pin", "--update", "--no-cache", *resolve_args())
    assert code == 0 and (tmp_path / "Dockerfile").read_text() == f"FROM {h}/moving/app:3.1@{second}\nUSER 1\n"


def test_digest_unknown_hl109_fires_on_the_digest(reg, tmp_path, capsys):
    h = reg.host
    missing = "sha256:" + "ab" * 32
    text = f"FROM {h}/lib/app:1.2@{missing}\nFROM {h}/lib/app@{reg.index}\nFROM {h}/tools/one@{reg.index}\n"
    (tmp_path / "Dockerfile").write_text(text)
    code, out, err = hl(capsys, "check", "--resolve", "--select", "HL109", "--format", "json", *resolve_args())
    found = json.loads(out)["findings"]
    assert [(f["rule"], f["line"]) for f in found] == [("HL109", 1), ("HL109", 3)]  # from another repository
    assert found[0]["column"] == text.index(missing) + 1 and found[0]["end_column"] == found[0]["column"] + len(missing)
    assert code == 1
    # without --resolve the online rule is silent
    code, out, err = hl(capsys, "check", "--select", "HL109", "--format", "json")
    assert json.loads(out)["findings"] == [] and code == 0


def test_platform_digest_is_a_current_pin(reg, tmp_path, capsys):
    h = reg.host
    (tmp_path / "Dockerfile").write_text(f"FROM {h}/lib/app:1.2@{reg.children['linux/amd64']}\nUSER 1\n")
    code, out, err = hl(capsys, "check", "--resolve", "--select", "HL208,HL109", "--format", "json", *resolve_args())
    assert json.loads(out)["findings"] == [], "a platform manifest of the tag's index is not outdated"


# -- failures, auth, transport ------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_registry_is_reported_not_a_finding(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(oci_client, "_backoff", lambda attempt: 0.01)
    ref = f"127.0.0.1:{_closed_port()}/app:1.0"
    (tmp_path / "Dockerfile").write_text(f"FROM {ref}\nUSER 1\n")
    code, out, err = hl(capsys, "check", "--resolve", "--select", "HL101,HL102", *resolve_args())
    assert code == 0 and out.startswith("0 findings") or "0 findings" in out
    assert err.count("cannot resolve") == 1 and f"`{ref}`" in err and "cannot reach" in err
    code, out, _ = hl(capsys, "check", "--resolve", "--select", "HL101", "--format", "json", *resolve_args())
    (item,) = json.loads(out)["summary"]["unresolved"]
    assert item["reference"] == ref
    code, out, _ = hl(capsys, "check", "--resolve", "--select", "HL101", "--format", "sarif", *resolve_args())
    notes = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(ref in n["message"]["text"] for n in notes)


def test_plain_http_needs_insecure_registry(reg, tmp_path, capsys):
    (tmp_path / "Dockerfile").write_text(f"FROM {reg.host}/lib/app:1.2\nUSER 1\n")
    code, out, err = hl(capsys, "check", "--resolve", "--fix", "--select", "HL103")
    assert "cannot resolve" in err and (tmp_path / "Dockerfile").read_text().endswith(":1.2\nUSER 1\n")


def test_retry_after_on_429_is_honoured(reg, tmp_path, capsys):
    proxy = FaultProxy(reg.host)
    try:
        proxy.faults.append(("429", 1, 1))
        (tmp_path / "Dockerfile").write_text(f"FROM {proxy.host}/tools/one:2.0\nUSER 1\n")
        code, out, err = hl(capsys, "check", "--resolve", "--fix", "--select", "HL103", *resolve_args())
        assert (tmp_path / "Dockerfile").read_text() == f"FROM {proxy.host}/tools/one:2.0@{reg.one}\nUSER 1\n", err
        (first, t1), (second, t2) = [(p, t) for _, p, t in proxy.seen[:2]]
        assert first == second and t2 - t1 >= 0.9
    finally:
        proxy.stop()


def test_a_registry_lying_about_the_digest_is_never_pinned(reg, tmp_path, capsys):
    proxy = FaultProxy(reg.host)
    try:
        proxy.faults.append(("lie", "sha256:" + "0" * 64))
        (tmp_path / "Dockerfile").write_text(f"FROM {proxy.host}/tools/one:2.0\nUSER 1\n")
        code, out, err = hl(capsys, "check", "--resolve", "--fix", "--select", "HL103", *resolve_args())
        assert (tmp_path / "Dockerfile").read_text() == f"FROM {proxy.host}/tools/one:2.0\nUSER 1\n"
        assert "not pinning it" in err and "0" * 64 in err
    finally:
        proxy.stop()


def test_cache_hit_makes_no_request_and_no_cache_bypasses_it(reg, tmp_path, capsys):
    proxy = FaultProxy(reg.host)
    try:
        (tmp_path / "Dockerfile").write_text(f"FROM {proxy.host}/lib/app:1.2\nUSER 1\n")
        args = ["check", "--resolve", "--diff", "--select", "HL103", *resolve_args()]
        code, out, _ = hl(capsys, *args)
        assert reg.index in out and proxy.seen
        cache = tmp_path / "cache" / "resolve-v1.json"
        assert reg.index in cache.read_text()
        proxy.seen.clear()
        code, again, _ = hl(capsys, *args)
        assert again == out and proxy.seen == []
        code, _, _ = hl(capsys, *args, "--no-cache")
        assert proxy.seen
    finally:
        proxy.stop()


def test_https_proxy_and_no_proxy(reg, tmp_path, capsys, monkeypatch):
    proxy = FaultProxy(reg.host)
    try:
        (tmp_path / "Dockerfile").write_text(f"FROM {reg.host}/tools/one:2.0\nUSER 1\n")
        monkeypatch.setenv("HTTP_PROXY", f"http://proxyuser:{PASSWORD}@{proxy.host}")
        args = ["check", "--resolve", "--diff", "--no-cache", "--select", "HL103", *resolve_args()]
        code, out, err = hl(capsys, *args)
        assert reg.one in out and any("/v2/tools/one/manifests/2.0" in p for _, p, _ in proxy.seen)
        assert proxy.proxy_auth and proxy.proxy_auth[0] == "Basic " + base64.b64encode(f"proxyuser:{PASSWORD}".encode()).decode()
        _assert_secret_free(out + err, PASSWORD)
        proxy.seen.clear()
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        code, out, _ = hl(capsys, *args)
        assert reg.one in out and proxy.seen == []
    finally:
        proxy.stop()


def test_tags_pagination_follows_link(reg, tmp_path, capsys):
    proxy = FaultProxy(reg.host)
    try:
        proxy.faults.append(("paginate", 2))
        (tmp_path / "Dockerfile").write_text(f"FROM {proxy.host}/lib/app\nUSER 1\n")
        code, out, err = hl(capsys, "check", "--resolve", "--diff", "--select", "HL101", *resolve_args())
        assert f"{proxy.host}/lib/app:1.2.3@{reg.index}" in out, err
        assert sum("/tags/list" in p for _, p, _ in proxy.seen) >= 3
        assert len(set(proxy.clients)) == 1 < len(proxy.clients), "one kept-alive connection for one lookup"
    finally:
        proxy.stop()


def test_worker_processes_get_the_answers(reg, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(runner, "PARALLEL_MIN_FILES", 2)
    for i in range(4):
        (tmp_path / f"{i}.Dockerfile").write_text(f"FROM {reg.host}/tools/one:2.0\nUSER 1\n")
    code, out, err = hl(capsys, "check", "--resolve", "--fix", "--select", "HL103", *resolve_args())
    assert code == 0, err
    assert all(p.read_text() == f"FROM {reg.host}/tools/one:2.0@{reg.one}\nUSER 1\n" for p in tmp_path.glob("*.Dockerfile"))


# -- credentials ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def basic_reg(tmp_path_factory):
    if not which("htpasswd"):
        pytest.skip("needs htpasswd (Debian package `apache2-utils`)")
    folder = tmp_path_factory.mktemp("basic")
    r = Registry(folder, auth={"htpasswd": {"realm": "test", "path": str(htpasswd_file(folder, "alice", PASSWORD))}})
    r.push_auth = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    r.one = r.push_image("private/one", ["1.0"], "private")
    yield r
    r.stop()


def _docker_config(tmp_path, data):
    (tmp_path / "docker" / "config.json").write_text(json.dumps(data))


def _all_outputs(capsys, *args):
    """stdout + stderr of every output format (and the diff) for one --resolve run."""
    texts = []
    for fmt in cli.FORMATS:
        texts.extend(hl(capsys, "check", "--resolve", "--format", fmt, *args)[1:])
    texts.extend(hl(capsys, "check", "--resolve", "--diff", *args)[1:])
    return "".join(texts)


def _assert_secret_free(text, *secrets):
    for s in secrets:
        assert s not in text
        assert base64.b64encode(s.encode()).decode() not in text


def test_basic_auth_401_without_credentials_then_pins_with_them(basic_reg, tmp_path, capsys):
    (tmp_path / "Dockerfile").write_text(f"FROM {basic_reg.host}/private/one:1.0\nUSER 1\n")
    args = ["--select", "HL103", *resolve_args()]
    code, out, err = hl(capsys, "check", "--resolve", *args)
    assert "authentication required (HTTP 401)" in err and "no credentials" in err
    _docker_config(tmp_path, {"auths": {basic_reg.host: {"auth": base64.b64encode(b"alice:wrong").decode()}}})
    code, out, err = hl(capsys, "check", "--resolve", "--no-cache", *args)
    assert "credentials were refused" in err
    _docker_config(tmp_path, {"auths": {basic_reg.host: {"auth": base64.b64encode(f"alice:{PASSWORD}".encode()).decode()}}})
    text = _all_outputs(capsys, *args)
    assert basic_reg.one in text
    _assert_secret_free(text + (tmp_path / "cache" / "resolve-v1.json").read_text(), PASSWORD, f"alice:{PASSWORD}")
    code, out, err = hl(capsys, "pin", *resolve_args())
    assert (tmp_path / "Dockerfile").read_text() == f"FROM {basic_reg.host}/private/one:1.0@{basic_reg.one}\nUSER 1\n"


def test_credential_helper_is_used(basic_reg, tmp_path, capsys, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-hltest"
    helper.write_text("#!/bin/sh\nread server\n"
                      f"printf '{{\"ServerURL\":\"%s\",\"Username\":\"alice\",\"Secret\":\"{PASSWORD}\"}}' \"$server\"\n")
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    _docker_config(tmp_path, {"credHelpers": {basic_reg.host: "hltest"}})
    (tmp_path / "Dockerfile").write_text(f"FROM {basic_reg.host}/private/one:1.0\nUSER 1\n")
    code, out, err = hl(capsys, "pin", *resolve_args())
    assert (tmp_path / "Dockerfile").read_text().endswith(f"@{basic_reg.one}\nUSER 1\n"), err
    _assert_secret_free(out + err, PASSWORD)
    _docker_config(tmp_path, {"credsStore": "hltest"})
    (tmp_path / "Dockerfile").write_text(f"FROM {basic_reg.host}/private/one:1.0\nUSER 1\n")
    code, out, err = hl(capsys, "pin", "--no-cache", *resolve_args())
    assert (tmp_path / "Dockerfile").read_text().endswith(f"@{basic_reg.one}\nUSER 1\n"), err


@pytest.fixture(scope="module")
def token_reg(tmp_path_factory):
    """A TLS registry with `auth: token` trusting a token server of the test (RS256 JWTs signed
    with the test key; the certificate is the registry's TLS certificate too)."""
    if not which("openssl"):
        pytest.skip("needs openssl (Debian package `openssl`)")
    folder = tmp_path_factory.mktemp("token")
    cert, key = make_cert(folder)
    tokens = TokenServer(key, {"bob": PASSWORD}, service="test-registry", issuer="test-issuer")
    auth = {"token": {"realm": tokens.realm, "service": "test-registry", "issuer": "test-issuer",
                      "rootcertbundle": cert}}
    old = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = cert
    r = Registry(folder, auth=auth, tls=(cert, key))
    basic = "Basic " + base64.b64encode(f"bob:{PASSWORD}".encode()).decode()

    def push_auth(scope):
        return "Bearer " + tokens.token("bob", scope)

    r.push_auth = push_auth
    r.cert, r.tokens, r.basic = cert, tokens, basic
    r.index, r.children = r.push_index("team/app", ["5.0", "latest"], "bearer")
    if old is None:
        del os.environ["SSL_CERT_FILE"]
    else:
        os.environ["SSL_CERT_FILE"] = old
    yield r
    r.stop()
    tokens.stop()


def test_bearer_token_flow_over_verified_tls(token_reg, tmp_path, capsys, monkeypatch):
    h = token_reg.host
    realm_host = token_reg.tokens.realm.split("/")[2]
    (tmp_path / "Dockerfile").write_text(f"FROM {h}/team/app\nUSER 1\n")
    args = ["--select", "HL101,HL103", "--insecure-registry", realm_host]  # the token server is plain HTTP
    # TLS is verified: the test certificate is not trusted yet
    code, out, err = hl(capsys, "check", "--resolve", *args)
    assert "TLS certificate not trusted" in err or "CERTIFICATE_VERIFY_FAILED" in err or "certificate" in err
    monkeypatch.setenv("SSL_CERT_FILE", token_reg.cert)
    code, out, err = hl(capsys, "check", "--resolve", "--no-cache", *args)
    assert "authentication required" in err or "access denied" in err
    _docker_config(tmp_path, {"auths": {h: {"username": "bob", "password": PASSWORD}}})
    token_reg.tokens.requests.clear()
    text = _all_outputs(capsys, *args)
    assert f"{h}/team/app:5.0@{token_reg.index}" in text
    assert any(q.get("scope") == "repository:team/app:pull" and q.get("service") == "test-registry"
               for q in token_reg.tokens.requests)
    issued = [token_reg.tokens.token("bob", "repository:team/app:pull").rsplit(".", 1)[0]]  # header.claims part
    _assert_secret_free(text + (tmp_path / "cache" / "resolve-v1.json").read_text(), PASSWORD, *issued)
    code, out, err = hl(capsys, "pin", "--insecure-registry", realm_host)
    assert (tmp_path / "Dockerfile").read_text() == f"FROM {h}/team/app:5.0@{token_reg.index}\nUSER 1\n", err


def test_anonymous_bearer_token(token_reg, tmp_path, capsys, monkeypatch):
    """Public images on a token registry (Docker Hub's case): a token without credentials."""
    monkeypatch.setenv("SSL_CERT_FILE", token_reg.cert)
    realm_host = token_reg.tokens.realm.split("/")[2]
    (tmp_path / "Dockerfile").write_text(f"FROM {token_reg.host}/team/app:5.0\nUSER 1\n")
    token_reg.tokens.anonymous = True
    try:
        code, out, err = hl(capsys, "pin", "--insecure-registry", realm_host)
    finally:
        token_reg.tokens.anonymous = False
    assert (tmp_path / "Dockerfile").read_text() == f"FROM {token_reg.host}/team/app:5.0@{token_reg.index}\nUSER 1\n", err


# -- no network without --resolve ----------------------------------------------------------------

NO_NETWORK = r"""
import socket, sys
def refuse(*a, **k):
    raise AssertionError("network used without --resolve")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from hardenlint.cli import main
outs = []
for fmt in ("text", "json", "sarif", "gcc", "github", "rdjson"):
    try:
        main(["check", "--preset", "strict", "--format", fmt, "-o", "out-" + fmt, sys.argv[1]])
    except SystemExit:
        pass
main(["check", "--preset", "strict", "--diff", sys.argv[1]])
bad = sorted(m for m in sys.modules if m.startswith("hardenlint.oci") or m in ("http.client", "ssl", "urllib.request"))
print("IMPORTED", bad)
"""


def test_without_resolve_no_resolver_import_and_no_connection(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM nginx\nFROM python:3.12@sha256:" + "ab" * 32 + "\n")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:latest\n")
    done = subprocess.run([sys.executable, "-c", NO_NETWORK, str(tmp_path)], capture_output=True, text=True,
                          cwd=tmp_path)
    assert "IMPORTED []" in done.stdout, done.stdout + done.stderr
    assert "network used" not in done.stderr
    sarif = json.loads((tmp_path / "out-sarif").read_text())
    assert "toolExecutionNotifications" not in sarif["runs"][0]["invocations"][0]
    assert "unresolved" not in json.loads((tmp_path / "out-json").read_text())["summary"]
    assert not (tmp_path / "cache").exists()


# -- units ----------------------------------------------------------------------------------------

def test_docker_hub_names_and_ports():
    assert tuple(repo_of(parse_image("nginx"))) == ("registry-1.docker.io", "library/nginx")
    assert tuple(repo_of(parse_image("docker.io/bitnami/redis:7"))) == ("registry-1.docker.io", "bitnami/redis")
    assert tuple(repo_of(parse_image("index.docker.io/library/nginx"))) == ("registry-1.docker.io", "library/nginx")
    assert tuple(repo_of(parse_image("localhost:5000/app"))) == ("localhost:5000", "app")
    assert tuple(repo_of(parse_image("ghcr.io/acme/tool:1@sha256:" + "a" * 64))) == ("ghcr.io", "acme/tool")


def test_version_candidates_most_specific_first():
    tags = ["latest", "1", "1.27", "1.27.3", "1.27.2", "1.26.9", "mainline", "1.27.3-alpine", "v2.0.1", "1.28"]
    assert version_candidates(tags) == ["v2.0.1", "1.27.3", "1.27.2", "1.26.9", "1.28", "1.27", "1"]


def test_stdin_fix_pins(reg, capsys, monkeypatch):
    import io

    text = f"FROM {reg.host}/tools/one:2.0\nUSER 1\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, out, err = hl(capsys, "check", "-", "--resolve", "--fix", "--select", "HL103", *resolve_args())
    assert out == f"FROM {reg.host}/tools/one:2.0@{reg.one}\nUSER 1\n", err


def test_progress_counts_registry_lookups(reg, tmp_path, capsys, monkeypatch):
    """With a terminal, the run reports the files read for references and each registry lookup."""
    from hardenlint import progress

    seen = []

    class Recorder(progress.Progress):
        def __init__(self, *args, **kwargs):
            super().__init__(True, delay=3600)

        def phase(self, label, total=None):
            seen.append([label, total, 0])
            super().phase(label, total)

        def advance(self, steps=1):
            seen[-1][2] += steps
            super().advance(steps)

    monkeypatch.setattr(progress, "Progress", Recorder)
    h = reg.host
    (tmp_path / "Dockerfile").write_text(f"FROM {h}/lib/app:1.2\nFROM {h}/tools/one:2.0\nUSER 10001\n")
    (tmp_path / "compose.yaml").write_text(f"services:\n  web:\n    image: {h}/solo\n")
    code, out, err = hl(capsys, "check", "--resolve", "--select", "HL101", *resolve_args(), ".")
    assert code == 1, out + err
    assert ["finding image references", 2, 2] in seen
    assert ["registry lookups", 3, 3] in seen  # three tags asked, each counted once answered
    assert seen[-1] == ["linting files", 2, 2]
    seen.clear()
    hl(capsys, "check", "--resolve", "--select", "HL101", *resolve_args(), ".")  # all from the cache
    assert [s[0] for s in seen] == ["finding image references", "linting files"]
