"""Registry credentials from the Docker config, as the docker CLI reads them.

`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`: `credHelpers[host]` names a
`docker-credential-<name>` program for one host, `credsStore` one for every host, and `auths[host]`
holds `auth` (base64 `user:password`) or `username`/`password`, or an `identitytoken`. Values are
kept in memory only: never logged, cached or put in a message.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from typing import Dict, NamedTuple, Optional

from .names import config_keys

HELPER_TIMEOUT = 20


class Credential(NamedTuple):
    username: str
    secret: str  # a password, or an identity (refresh) token when `username` is "<token>"

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        return f"Credential(username={self.username!r}, secret=***)"


def config_path() -> str:
    folder = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    return os.path.join(folder, "config.json")


class Credentials:
    """Looks up the credential for a registry host (once per host per run)."""

    def __init__(self, path: Optional[str] = None) -> None:
        self.path = path or config_path()
        self._config: Optional[dict] = None
        self._found: Dict[str, Optional[Credential]] = {}
        self._lock = threading.Lock()

    def _load(self) -> dict:
        if self._config is None:
            try:
                with open(self.path, encoding="utf-8") as f:
                    data = json.load(f)
                self._config = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._config = {}
        return self._config

    def get(self, host: str) -> Optional[Credential]:
        with self._lock:
            if host not in self._found:
                self._found[host] = self._lookup(host)
            return self._found[host]

    def _lookup(self, host: str) -> Optional[Credential]:
        cfg = self._load()
        keys = config_keys(host)
        helpers = cfg.get("credHelpers") if isinstance(cfg.get("credHelpers"), dict) else {}
        for key in keys:
            if isinstance(helpers.get(key), str):
                return _from_helper(helpers[key], key)
        auths = cfg.get("auths") if isinstance(cfg.get("auths"), dict) else {}
        for key in keys:
            entry = auths.get(key) or auths.get(key.rstrip("/"))
            if isinstance(entry, dict):
                got = _from_entry(entry)
                if got:
                    return got
        store = cfg.get("credsStore")
        if isinstance(store, str) and store:
            for key in keys:
                got = _from_helper(store, key)
                if got:
                    return got
        return None


def _from_entry(entry: dict) -> Optional[Credential]:
    if isinstance(entry.get("identitytoken"), str) and entry["identitytoken"]:
        return Credential("<token>", entry["identitytoken"])
    if isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str):
        return Credential(entry["username"], entry["password"])
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            user, _, password = base64.b64decode(auth).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        if user:
            return Credential(user, password)
    return None


def _from_helper(name: str, server: str) -> Optional[Credential]:
    """`docker-credential-<name> get` with the server URL on stdin; None when it has nothing."""
    try:
        done = subprocess.run([f"docker-credential-{name}", "get"], input=server.encode(),
                              capture_output=True, timeout=HELPER_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    try:
        data = json.loads(done.stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    user, secret = data.get("Username"), data.get("Secret")
    if not isinstance(user, str) or not isinstance(secret, str) or not secret:
        return None
    return Credential(user, secret)
