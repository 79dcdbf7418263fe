#!/usr/bin/env python3
"""Regenerate hardenlint/data/eol.json (the HL206 table) from an endoflife.date extraction.

Usage: python scripts/update_eol.py [SOURCE_JSON] [--checked YYYY-MM-DD]

SOURCE_JSON (default /work/shared/data/eol.json) is the extraction described in its SOURCES.md:
`{"source", "commit", "commit_date", "extracted", "license", "products": {name: [cycle, ...]}}`,
each cycle with `cycle`, `release`, `eol` (date, true or false) and optional `lts` / `codename`.

The package's table keeps, per product, only what HL206 needs: `[cycle, release, eol, lts]`
(eol is an ISO date, true = "EOL, no date given" or false = "no date yet"; lts is 0/1; for
products in FREE_EXTENDED, eol is the end of their free LTS, `eoes`), plus the
release codenames used as image tags and the Docker Hub tag conventions (which image is which
product, how its tags carry cycles). `checked` is the extraction date unless --checked is given.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, os.pardir, "hardenlint", "data", "eol.json")

# Docker image -> endoflife.date product, and how the image's tags carry a cycle.
#   os: the tag may carry a base-OS suffix (-bookworm, -alpine3.20, -jammy, -ubi9, -al2023 ...)
#   line: "major" = an automatic bump stays within the same major version (python 3.x, php 8.x)
#   pad: write the bumped version with at least this many components (dotnet 8 -> "8.0")
#   prefix: the version token may start with this word (centos7, stream9)
# Sources: SOURCES.md "Docker Hub tag conventions" ([OI] docker-library/official-images, [DOCS]).
IMAGES = {
    "ubuntu": {"product": "ubuntu"},
    "debian": {"product": "debian"},
    "alpine": {"product": "alpine-linux"},
    "centos": {"product": "centos", "prefix": "centos"},
    "rockylinux": {"product": "rocky-linux"},
    "almalinux": {"product": "almalinux"},
    "fedora": {"product": "fedora"},
    "amazonlinux": {"product": "amazon-linux"},
    "opensuse/leap": {"product": "opensuse", "line": "major"},
    "python": {"product": "python", "os": True, "line": "major"},
    "node": {"product": "nodejs", "os": True},
    "golang": {"product": "go", "os": True, "line": "major"},
    "php": {"product": "php", "os": True, "line": "major"},
    "ruby": {"product": "ruby", "os": True, "line": "major"},
    "perl": {"product": "perl", "os": True, "line": "major"},
    "rust": {"product": "rust", "os": True, "line": "major"},
    "eclipse-temurin": {"product": "eclipse-temurin", "os": True},
    "amazoncorretto": {"product": "amazon-corretto", "os": True},
    "openjdk": {"product": "openjdk-builds-from-oracle", "os": True},
    "postgres": {"product": "postgresql", "os": True},
    "mysql": {"product": "mysql", "os": True, "line": "major"},
    "mariadb": {"product": "mariadb", "os": True, "line": "major"},
    "redis": {"product": "redis", "os": True, "line": "major"},
    "nginx": {"product": "nginx", "os": True, "line": "major"},
    "mongo": {"product": "mongodb", "os": True, "line": "major"},
    "elasticsearch": {"product": "elasticsearch", "line": "major"},
    "rabbitmq": {"product": "rabbitmq", "os": True, "line": "major"},
    "mcr.microsoft.com/dotnet/sdk": {"product": "dotnet", "os": True, "pad": 2},
    "mcr.microsoft.com/dotnet/aspnet": {"product": "dotnet", "os": True, "pad": 2},
    "mcr.microsoft.com/dotnet/runtime": {"product": "dotnet", "os": True, "pad": 2},
    "mcr.microsoft.com/dotnet/runtime-deps": {"product": "dotnet", "os": True, "pad": 2},
}

# Node.js release codenames used as tags (SOURCES.md: pairs in one `Tags:` line of [OI] history).
NODE_CODENAMES = {
    "argon": "4", "boron": "6", "carbon": "8", "dubnium": "10", "erbium": "12", "fermium": "14",
    "gallium": "16", "hydrogen": "18", "iron": "20", "jod": "22", "krypton": "24",
}

# Products whose `lts` column means "long-term support release" (rhel's column is ELS: left out).
LTS_PRODUCTS = {"ubuntu", "nodejs", "eclipse-temurin", "amazon-corretto", "dotnet", "mysql", "mariadb"}

# Products whose extended support is free and published in the normal archive, which the official
# images keep being rebuilt from: their end of life is the end of that support (`eoes`). Debian
# LTS ships through the regular security archive; other products' extended support is paid
# (Ubuntu Pro ESM, RHEL ELS, vendor subscriptions), so for them `eol` is the end of life.
FREE_EXTENDED = {"debian"}

# Products needed for base-OS suffixes even when no image maps to them (-ubi9 = rhel 9).
EXTRA_PRODUCTS = {"rhel"}


def build(src: dict, checked: str) -> dict:
    wanted = {v["product"] for v in IMAGES.values()} | EXTRA_PRODUCTS
    missing = wanted - set(src["products"])
    if missing:
        sys.exit(f"update_eol: source lacks products {sorted(missing)}")
    products = {}
    for name in sorted(wanted):
        rows = []
        for c in src["products"][name]:
            lts = 1 if name in LTS_PRODUCTS and c.get("lts") not in (None, False) else 0
            eol = c["eol"]
            if name in FREE_EXTENDED and isinstance(c.get("eoes"), str):
                eol = c["eoes"]
            rows.append([c["cycle"], c.get("release"), eol, lts])
        products[name] = rows
    codenames = {
        "ubuntu": {c["codename"].split()[0].lower(): c["cycle"]
                   for c in src["products"]["ubuntu"] if c.get("codename")},
        "debian": {c["codename"].lower(): c["cycle"]
                   for c in src["products"]["debian"] if c.get("codename")},
        "nodejs": NODE_CODENAMES,
    }
    return {
        "source": "endoflife.date",
        "repository": src["source"],
        "commit": src["commit"],
        "commit_date": src["commit_date"],
        "license": src["license"],
        "checked": checked,
        "columns": ["cycle", "release", "eol", "lts"],
        "eol_is_end_of_lts": sorted(FREE_EXTENDED),
        "images": IMAGES,
        "codenames": codenames,
        "products": products,
    }


def dump(table: dict) -> str:
    """Compact JSON with one cycle per line, so diffs after an update stay readable."""
    lines = ["{"]
    items = list(table.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if key in ("products", "images", "codenames"):
            lines.append(f" {json.dumps(key)}: {{")
            inner = list(value.items())
            for j, (k, v) in enumerate(inner):
                c2 = "," if j < len(inner) - 1 else ""
                if key == "products":
                    rows = ",\n   ".join(json.dumps(r) for r in v)
                    lines.append(f"  {json.dumps(k)}: [\n   {rows}\n  ]{c2}")
                else:
                    lines.append(f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True)}{c2}")
            lines.append(f" }}{comma}")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", nargs="?", default="/work/shared/data/eol.json")
    ap.add_argument("--checked", help="date the data was checked (default: the extraction date)")
    ap.add_argument("--output", default=OUT)
    args = ap.parse_args(argv)
    with open(args.source, encoding="utf-8") as f:
        src = json.load(f)
    table = build(src, args.checked or src["extracted"])
    text = dump(table)
    json.loads(text)  # the writer above must produce valid JSON
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.normpath(args.output)}: {len(table['products'])} products, "
          f"{sum(len(v) for v in table['products'].values())} cycles, checked {table['checked']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
