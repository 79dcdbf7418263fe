"""hardenlint.knowledge.secrets: secret names, literal values, credential files (HL501, HL502)."""
from __future__ import annotations

import pytest

from hardenlint.knowledge.secrets import credential_file, is_literal_secret, is_secret_name


@pytest.mark.parametrize("name", [
    "PASSWORD", "DB_PASSWORD", "MYSQL_ROOT_PASSWORD", "postgres_password", "SMTP_PASSWD",
    "SSH_PASSPHRASE", "JWT_SECRET", "AWS_SECRET_ACCESS_KEY", "SECRET_KEY_BASE", "CLIENT_SECRET",
    "GITHUB_TOKEN", "HF_TOKEN", "NPM_AUTHTOKEN", "REFRESH_TOKEN", "TOKEN", "API_TOKENS",
    "STRIPE_API_KEY", "OPENAI_APIKEY", "x-api-key", "SSH_PRIVATE_KEY", "AWS_ACCESS_KEY_ID",
    "AZURE_CREDENTIALS", "DOCKER_CREDENTIAL", "ENCRYPTION_KEY", "SIGNING_KEY",
])
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", [
    "PASSWORD_FILE", "DB_PASSWORD_PATH", "SECRETS_DIR", "TOKEN_URL", "AUTH_TOKEN_ENDPOINT",
    "SECRET_NAME", "MIN_PASSWORD_LENGTH", "PASSWORD_MIN_LEN", "MYSQL_ALLOW_EMPTY_PASSWORD",
    "ACCESS_TOKEN_TTL", "TOKEN_TYPE", "TOKENIZERS_PARALLELISM", "GPG_KEY", "KEY", "PWD",
    "GOOGLE_APPLICATION_CREDENTIALS", "PATH", "HOME", "", "SECRET_VERSION",
    "REGISTRY_AUTH_HTPASSWD_REALM", "DB_PASSWORD_USER", "SMTP_TOKEN_USERNAME",
])
def test_not_secret_names(name):
    assert not is_secret_name(name)


@pytest.mark.parametrize("value", [
    "hunter2", "s3cr3t!", "changeme", "password", "admin", "secret", "'quoted'", '"dq"',
    "ghp_0123456789abcdef", "abc$1",  # `$1` is no variable a Dockerfile expands
])
def test_literal_secrets(value):
    assert is_literal_secret(value)


@pytest.mark.parametrize("value", [
    "", "''", '""', "  ", None, "${DB_PASSWORD}", "$DB_PASSWORD", "${X:-default}", "pre${X}post",
    "<password>", "<your token>", "xxx", "XXXXXXXX", "***", "...", "your-token-here",
    "YOUR_API_KEY", "put-key-here", "REPLACE_ME", "replace-me", "insert_token", "TODO", "tbd",
    "FIXME", "{{ .Values.token }}", "__TOKEN__", "%TOKEN%", "placeholder", "dummy", "example",
    "yes", "true", "0", "/run/secrets/db_password", "~/.config/token",
])
def test_not_literal_secrets(value):
    assert not is_literal_secret(value)


@pytest.mark.parametrize("path", [
    "id_rsa", "./keys/id_rsa", "/home/u/.ssh/id_ed25519", ".env", ".env.production", "conf/.npmrc",
    ".pypirc", ".netrc", ".git-credentials", "server.pem", "tls.key", "*.pem", "certs/*.key",
    "keystore.jks", "cert.p12", ".aws/credentials", "home/.aws/credentials", "/root/.docker/config.json",
    ".kube/config", ".ssh", ".ssh/", ".ssh/config", "credentials.json", "KEY.PEM",
])
def test_credential_files(path):
    assert credential_file(path)


@pytest.mark.parametrize("path", [
    "id_rsa.pub", ".env.example", ".env.sample", ".env.template", ".envrc", "app.py", "key.py",
    "certs/ca.crt", ".ssh/known_hosts", ".ssh/authorized_keys", "package.json", ".", "src/",
    "docs/keys.md", ".environment",
])
def test_not_credential_files(path):
    assert not credential_file(path)


@pytest.mark.parametrize("value", ["resetOSPassword.sh", "token.json", "00000000-0000-0000-0000-000000000000",
                                   "0000000000000000", "xxxx-xxxx"])
def test_file_names_and_zero_placeholders_are_not_literal(value):
    assert not is_literal_secret(value)
