"""hardenlint.knowledge.verification: commands and env settings that turn verification off (HL107)."""
from __future__ import annotations

import shlex

import pytest

from hardenlint.knowledge.verification import command_start, insecure_command, insecure_env


def hits(cmd):
    argv = shlex.split(cmd)
    return [(" ".join(argv[h.start:h.end]), h.replacement) for h in insecure_command(argv)]


@pytest.mark.parametrize("cmd,expected", [
    ("curl -k https://x", [("-k", ())]),
    ("curl --insecure https://x", [("--insecure", ())]),
    ("curl -fsSLk https://x", [("-fsSLk", ("-fsSL",))]),
    ("curl -kfsSL https://x", [("-kfsSL", ("-fsSL",))]),
    ("curl -ko out https://x", [("-ko", ("-o",))]),
    ("curl -ok https://x", []),  # -o takes `k` as the output file name
    ("curl -o -k https://x", []),
    ("sudo -E curl --proxy-insecure https://x", [("--proxy-insecure", ())]),
    ("wget --no-check-certificate https://x", [("--no-check-certificate", ())]),
    ("apt-get install -y --allow-unauthenticated pkg", [("--allow-unauthenticated", ())]),
    ("apt-get --force-yes install pkg", [("--force-yes", ())]),
    ("apt-get -o Acquire::AllowInsecureRepositories=true update", [("-o Acquire::AllowInsecureRepositories=true", ())]),
    ("apt -oAcquire::https::Verify-Peer=false update", [("-oAcquire::https::Verify-Peer=false", ())]),
    ("apt-get -o Acquire::Check-Valid-Until=false update", []),  # archive snapshots, signatures still checked
    ("apk add --allow-untrusted pkg", [("--allow-untrusted", ())]),
    ("pip install --trusted-host pypi.org flask", [("--trusted-host pypi.org", ())]),
    ("pip3 install --trusted-host=pypi.org flask", [("--trusted-host=pypi.org", ())]),
    ("python3 -m pip install --trusted-host h x", [("--trusted-host h", ())]),
    ("pip config set global.trusted-host pypi.org", [("pip config set global.trusted-host pypi.org", None)]),
    ("uv pip install --allow-insecure-host h x", [("--allow-insecure-host h", ())]),
    ("dnf install -y --nogpgcheck pkg", [("--nogpgcheck", ())]),
    ("yum --setopt=sslverify=false install pkg", [("--setopt=sslverify=false", ())]),
    ("microdnf --setopt=*.gpgcheck=0 install pkg", [("--setopt=*.gpgcheck=0", ())]),
    ("zypper --no-gpg-checks install pkg", [("--no-gpg-checks", ())]),
    # config managers, any option order, quoted (shlex unquotes once, as the shell does), `--setopt K=V`
    ("yum-config-manager --save --setopt=myrepo.sslverify=false", [("--setopt=myrepo.sslverify=false", ())]),
    ("yum-config-manager --setopt='*.gpgcheck=0' --save", [("--setopt=*.gpgcheck=0", ())]),
    ('dnf-config-manager --setopt="repo_gpgcheck=no" --add-repo https://r', [("--setopt=repo_gpgcheck=no", ())]),
    ("dnf config-manager --save --setopt epel.gpgcheck=False", [("--setopt epel.gpgcheck=False", ())]),
    ("dnf5 config-manager setopt epel.gpgcheck=0", [("epel.gpgcheck=0", ("epel.gpgcheck=1",))]),
    ("dnf install --setopt=install_weak_deps=0 pkg", []),
    ("yum-config-manager --save --setopt=myrepo.sslverify=1", []),
    ("yum-config-manager --setopt=sslcacert=/x --enable r", []),
    ("rpm -Uvh --noverify --nofiledigest --nomd5 x.rpm",
     [("--noverify", ()), ("--nofiledigest", ()), ("--nomd5", ())]),
    ("rpm -ivh --nosignature --nodigest x.rpm", [("--nosignature", ()), ("--nodigest", ())]),
    ("npm config set strict-ssl false", [("false", ("true",))]),
    ("npm set strict-ssl=false", [("strict-ssl=false", ("strict-ssl=true",))]),
    ("yarn config set strict-ssl false -g", [("false", ("true",))]),
    ("npm install --strict-ssl=false", [("--strict-ssl=false", ())]),
    ("npm config set registry https://r", []),
    ("git -c http.sslVerify=false clone https://x", [("-c http.sslVerify=false", ())]),
    ("git clone -c http.sslverify=0 https://x", [("-c http.sslverify=0", ())]),
    ("git clone --config=http.https://x.sslVerify=false https://x", [("--config=http.https://x.sslVerify=false", ())]),
    ("git config --global http.sslVerify false", [("false", ("true",))]),
    ("git config --global http.sslVerify true", []),
    ("git commit -c HEAD", []),
    ("conda config --set ssl_verify false", [("false", ("true",))]),
    ("GIT_SSL_NO_VERIFY=1 git clone https://x", [("GIT_SSL_NO_VERIFY=1", ())]),
    ("export NODE_TLS_REJECT_UNAUTHORIZED=0", [("NODE_TLS_REJECT_UNAUTHORIZED=0", None)]),
    ("echo 'deb [trusted=yes] http://x stable main'", [("deb [trusted=yes] http://x stable main", None)]),
    ("curl -fsSL https://x", []),
    ("sudo -u", []), ("gosu postgres", []),
])
def test_insecure_command(cmd, expected):
    assert hits(cmd) == expected


def test_messages_name_the_tool_and_setting():
    [h] = insecure_command(["curl", "-k", "u"])
    assert h.message == "`curl -k` turns off TLS certificate verification"
    [h] = insecure_command(["apk", "add", "--allow-untrusted", "x"])
    assert "`apk --allow-untrusted`" in h.message and "signatures" in h.message


@pytest.mark.parametrize("argv,index", [
    (["curl"], 0), (["A=1", "B=2", "curl"], 2), (["sudo", "-u", "app", "curl"], 3),
    (["sudo", "-E", "env", "X=1", "curl"], 4), (["gosu", "app", "curl"], 2), (["nice", "-n", "5", "x"], 3),
    (["A=1"], 1), (["sudo", "-u"], 2), (["gosu"], 1),
])
def test_command_start(argv, index):
    assert command_start(argv) == index


@pytest.mark.parametrize("name,value,flagged", [
    ("PYTHONHTTPSVERIFY", "0", True), ("PYTHONHTTPSVERIFY", "1", False),
    ("NODE_TLS_REJECT_UNAUTHORIZED", "0", True), ("NODE_TLS_REJECT_UNAUTHORIZED", '"0"', False),
    ("NODE_TLS_REJECT_UNAUTHORIZED", '0"', False), ("NODE_TLS_REJECT_UNAUTHORIZED", " 0", False),
    ("PYTHONHTTPSVERIFY", "'0'", False), ("PIP_TRUSTED_HOST", "  ", False),
    ("NODE_TLS_REJECT_UNAUTHORIZED", "1", False),
    ("GIT_SSL_NO_VERIFY", "1", True), ("GIT_SSL_NO_VERIFY", "false", True),  # git tests presence only
    ("GIT_SSL_NO_VERIFY", "", True), ("GIT_SSL_NO_VERIFY", None, False),  # None: passed through, unknown
    ("PIP_TRUSTED_HOST", "pypi.org", True), ("PIP_TRUSTED_HOST", "", False),
    ("NPM_CONFIG_STRICT_SSL", "false", True), ("npm_config_strict_ssl", "false", True),
    ("NPM_CONFIG_STRICT_SSL", "true", False),
    ("GOSUMDB", "off", True), ("GOSUMDB", "sum.golang.org", False),
    ("GOINSECURE", "example.com", True), ("GOFLAGS", "-mod=mod -insecure", True), ("GOFLAGS", "-mod=mod", False),
    ("UV_INSECURE_HOST", "h", True), ("PATH", "/usr/bin", False),
])
def test_insecure_env(name, value, flagged):
    assert bool(insecure_env(name, value)) is flagged
