"""HL501/HL502 knowledge: which variable names hold secrets, which values are literal secrets,
and which file names are credentials. Shared by the Dockerfile, compose and Kubernetes checks.

Callers must never put a value judged here into a message.
"""
from __future__ import annotations

import posixpath
import re

from .. import lazyre

# Substrings of an upper-cased, `_`-normalised name that mark a secret.
_SECRET_PARTS = (
    "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "CREDENTIAL",
    "API_KEY", "APIKEY", "PRIVATE_KEY", "PRIVATEKEY", "ACCESS_KEY", "ACCESSKEY",
    "ENCRYPTION_KEY", "SIGNING_KEY", "AUTH_KEY",
)
# A `_`-separated word ending in TOKEN(S): GITHUB_TOKEN, NPM_AUTHTOKEN; not TOKENIZERS_PARALLELISM.
_TOKEN_WORD = lazyre.compile(r"(?:^|_)[A-Z0-9]*TOKENS?(?:_|$)")
# Last words that make a name describe a secret rather than hold one.
_NOT_SECRET_LAST = {
    "FILE", "FILES", "PATH", "DIR", "DIRECTORY", "URL", "URI", "ENDPOINT", "HOST", "PORT",
    "LENGTH", "LEN", "SIZE", "TYPE", "NAME", "HEADER", "EXPIRY", "EXPIRES", "EXPIRATION", "TTL",
    "TIMEOUT", "LIFETIME", "ENABLED", "REQUIRED", "POLICY", "ALGORITHM", "ALG", "FORMAT",
    "PROVIDER", "VERSION", "MODE", "METHOD", "CMD", "COMMAND", "LOCATION", "MOUNT", "REF",
    "REALM", "USER", "USERNAME",
}
# Words anywhere that make the name a setting about secrets: MYSQL_ALLOW_EMPTY_PASSWORD.
_NOT_SECRET_WORDS = {"ALLOW", "MIN", "MAX"}
# Names whose documented meaning is a path to a credentials file.
_PATH_NAMES = {"GOOGLE_APPLICATION_CREDENTIALS", "AWS_SHARED_CREDENTIALS_FILE"}

_INTERPOLATION = lazyre.compile(r"\$(?:\{|[A-Za-z_])")
_FILE_PATH = lazyre.compile(r"(?:/|~/|\./)[\w.@-]+(?:/[\w.@-]+)+/?")  # /run/secrets/db: a pointer
_FILE_NAME = lazyre.compile(r"[\w.-]+\.(?:sh|py|rb|pl|js|txt|json|ya?ml|toml|conf|cfg|ini|xml|properties|"
                        r"rsp|env|pem|key|crt|p12|jks|der)", re.I)  # resetPassword.sh: a file name
_PLACEHOLDERS = {
    "todo", "tbd", "fixme",
    "placeholder", "redacted", "none", "null", "nil", "undefined", "unset", "example", "dummy",
}
_BOOLEANS = {"yes", "no", "true", "false", "on", "off", "0", "1", "y", "n"}


def _normal(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def is_secret_name(name: str) -> bool:
    """True for names that conventionally hold a secret (`DB_PASSWORD`, `GITHUB_TOKEN`,
    `AWS_SECRET_ACCESS_KEY`, `STRIPE_API_KEY`), False for names about one (`PASSWORD_FILE`,
    `TOKEN_URL`, `SECRET_NAME`, `MIN_PASSWORD_LENGTH`, `MYSQL_ALLOW_EMPTY_PASSWORD`) and for
    public material (`GPG_KEY` fingerprints, `TOKENIZERS_PARALLELISM`)."""
    n = _normal(name)
    if not n:
        return False
    words = n.split("_")
    if n in _PATH_NAMES or words[-1] in _NOT_SECRET_LAST or _NOT_SECRET_WORDS.intersection(words):
        return False
    return any(p in n for p in _SECRET_PARTS) or bool(_TOKEN_WORD.search(n))


def _unquote(value: str) -> str:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        v = v[1:-1].strip()
    return v


def is_placeholder(value: str) -> bool:
    """Obvious stand-ins nobody would use as a real secret: `<password>`, `xxx`, `...`, `***`,
    `your-token-here`, `REPLACE_ME`, `TODO`, `{{ token }}`, `__TOKEN__`."""
    v = _unquote(value)
    low = v.lower()
    if low in _PLACEHOLDERS or low in _BOOLEANS:
        return True
    if re.fullmatch(r"<[^<>]*>|\{\{.*\}\}|__[A-Za-z0-9_]+__|%[A-Za-z0-9_]+%", v):
        return True
    if set(low) <= set("x*.-_#?") or (set(low) <= set("0-") and low.count("0") >= 4):
        return True  # xxx, ***, ..., ---, 0000-0000 (a zero UUID)
    # your-token-here, YOUR_API_KEY, put-key-here, replace-me, insert_token
    return bool(re.match(r"your\b|your[-_ ]", low) or re.search(r"[-_ ]here$", low)
                or re.fullmatch(r"(replace|insert|enter)[-_ ]?\w*", low))


def is_literal_secret(value: str) -> bool:
    """True when `value` is a literal that would bake a secret into the image or manifest.

    Not literal: empty, any `$VAR` / `${VAR}` interpolation, obvious placeholders, booleans
    (`MYSQL_RANDOM_ROOT_PASSWORD=yes`), file paths and names (`/run/secrets/db_password`,
    `resetPassword.sh`). Weak real defaults such as `changeme`, `password`,
    `admin` or `secret` ARE literal secrets: they are what an attacker tries first.
    """
    if value is None:
        return False
    v = _unquote(str(value))
    if not v or _INTERPOLATION.search(v) or _FILE_PATH.fullmatch(v) or _FILE_NAME.fullmatch(v):
        return False
    return not is_placeholder(v)


# HL502: file names of keys and credentials, matched on the last path component.
_CREDENTIAL_NAMES = {
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
    ".env", ".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials", ".htpasswd",
    ".pgpass", ".my.cnf", ".dockercfg", "credentials.json", "service-account.json",
}
_CREDENTIAL_PATHS = (".aws/credentials", ".docker/config.json", ".kube/config", ".ssh/")
_CREDENTIAL_EXTS = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk")
# `.env.example` and friends are templates that are meant to be committed and copied.
_ENV_TEMPLATES = {"example", "sample", "template", "dist", "defaults", "default", "schema"}


def credential_file(path: str) -> bool:
    """True when a COPY/ADD source names a key or credential file.

    Basename match (`id_rsa`, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.env` and
    `.env.<stage>` like `.env.production`), extension (`*.pem`, `*.key`, `*.p12`, `*.pfx`,
    `*.jks`), or path (`.aws/credentials`, `.docker/config.json`, `.kube/config`, anything in
    `.ssh/`). Not: `.env.example`/`.env.sample`/`.env.template`, `.envrc` (direnv script),
    public keys (`id_rsa.pub`, `*.pub`, `authorized_keys`), `known_hosts`, certificates (`*.crt`).
    """
    p = path.replace("\\", "/").strip().strip("\"'")
    p = p.rstrip("/") if p not in ("/",) else p
    norm = posixpath.normpath(p) if p else p
    base = posixpath.basename(norm).lower()
    if not base or base.endswith(".pub") or base in ("known_hosts", "authorized_keys"):
        return False
    if base in _CREDENTIAL_NAMES or base.endswith(_CREDENTIAL_EXTS):
        return True
    if base.startswith(".env."):
        return base.split(".")[-1] not in _ENV_TEMPLATES
    low = "/" + norm.lower()
    return any(("/" + c) in low + ("/" if c.endswith("/") else "") or low.endswith("/" + c)
               for c in _CREDENTIAL_PATHS)
