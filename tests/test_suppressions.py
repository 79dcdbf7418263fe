"""Inline suppressions in Dockerfiles and YAML, ignore-file, aliases, HL002, per-file-ignores."""
from __future__ import annotations

from .conftest import lint, rules_of


def test_comment_suppresses_next_instruction_only():
    text = ("FROM alpine:3.20\n"
            "# hardenlint ignore=HL204 -- needed for the vendor installer\n"
            "RUN sudo ls\n"
            "RUN sudo id\n")
    found = [f for f in lint(text, select=["HL204"])]
    assert [f.span.line for f in found] == [4]


def test_suppression_covers_continuation_lines_and_accepts_aliases():
    text = ("FROM alpine:3.20\n"
            "# hardenlint ignore=DL3004\n"
            "RUN echo a \\\n"
            "    && sudo ls\n")
    assert lint(text, select=["HL204"]) == []


def test_ignore_file_anywhere():
    text = "FROM alpine:3.20\nRUN sudo ls\n# hardenlint ignore-file=HL204\nRUN sudo id\n"
    assert lint(text, select=["HL204"]) == []


def test_unknown_id_is_hl002_at_the_id():
    text = "FROM alpine:3.20\n# hardenlint ignore=HL204,HL999\nRUN sudo ls\n"
    found = lint(text, select=["HL204", "HL002"])
    assert rules_of(found) == ["HL002"]
    assert (found[0].span.line, found[0].span.column, found[0].span.end_column) == (2, 27, 32)


def test_trailing_hash_in_dockerfile_is_not_a_comment():
    text = "FROM alpine:3.20\nRUN sudo ls # hardenlint ignore=HL204\n"
    assert rules_of(lint(text, select=["HL204"])) == ["HL204"]


def test_yaml_comment_covers_node_and_children():
    text = ("services:\n"
            "  web:\n"
            "    image: nginx:1.27\n"
            "    # hardenlint ignore=HL304,HL312 -- monitoring agent\n"
            "    privileged: true\n"
            "    network_mode: host\n")
    found = rules_of(lint(text, "compose.yaml", select=["HL304", "HL312"]))
    assert found == ["HL312"]
    text2 = text.replace("  web:\n", "  # hardenlint ignore=HL304,HL312\n  web:\n", 1).replace("    # hardenlint ignore=HL304,HL312 -- monitoring agent\n", "")
    assert lint(text2, "compose.yaml", select=["HL304", "HL312"]) == []


def test_yaml_trailing_comment_covers_its_line():
    text = "services:\n  web:\n    image: nginx:1.27\n    privileged: true  # hardenlint ignore=HL304\n"
    assert lint(text, "compose.yaml", select=["HL304"]) == []


def test_kubernetes_annotation():
    text = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
            "    hardenlint.io/ignore: \"HL307, HL308\"\n"
            "spec:\n  containers:\n    - name: c\n      image: nginx:1.27\n")
    found = set(rules_of(lint(text, "pod.yaml", select=["HL307", "HL308", "HL306"])))
    assert found == {"HL306"}


def test_per_file_ignores():
    text = "FROM alpine:3.20\nRUN sudo ls\n"
    assert lint(text, "test/Dockerfile", select=["HL204"], per_file_ignores={"test/*": ("HL204",)}) == []
    assert rules_of(lint(text, "prod/Dockerfile", select=["HL204"], per_file_ignores={"test/*": ("HL204",)})) == ["HL204"]


def test_unknown_id_in_kubernetes_annotation_is_hl002():
    text = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
            "    hardenlint.io/ignore: \"HL307, HL3O8\"\n"
            "spec:\n  containers:\n    - name: c\n      image: nginx:1.27\n")
    found = lint(text, "pod.yaml", select=["HL307", "HL002"])
    assert rules_of(found) == ["HL002"] and found[0].span.line == 6 and "HL3O8" in found[0].message
