from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

from orchestrator.release.tags import TagFormat, tag_name_problem
from tests.gitutil import make_repo


def test_matching_is_anchored() -> None:
    fmt = TagFormat("{name}-v{version}")
    tags = ["schema-validator-v9.0.0", "validator-v1.2.0", "validator-v1.10.0",
            "validator-core-v3.0.0", "validator-vnext", "xvalidator-v5.0.0"]
    newest = fmt.newest(tags, "validator")
    assert newest is not None
    assert newest.name == "validator-v1.10.0"  # PEP 440 order, not string order
    assert fmt.newest(["validator-v1.0.0"], "schema-validator") is None


def test_pre_releases_sort_before_their_final() -> None:
    fmt = TagFormat("{name}-v{version}")
    newest = fmt.newest(["lib-v2.0.0rc2", "lib-v2.0.0rc10", "lib-v1.9.0"], "lib")
    assert newest is not None and newest.version == Version("2.0.0rc10")


def test_other_formats_and_name_spellings() -> None:
    fmt = TagFormat("release/{name}@{version}")
    assert fmt.render("acme-db", Version("1.5.0")) == "release/acme-db@1.5.0"
    assert fmt.match("release/acme_db@1.5.0", "acme-db") == Version("1.5.0")
    assert fmt.match("release/acme-db@1.5.0-extra", "acme-db") is None
    assert fmt.match("prefix/release/acme-db@1.5.0", "acme-db") is None


NAMES = ["acme-db-v1.5.0", "release/acme-db@1.5.0", "acme_db-v1!2.0+local.7", "é-v1.0",
         "acme-db v1.5.0", "acme-db..v1", "acme-db-v1.", "-acme-db", ".acme", "a/.b",
         "a/b.lock", "a.lock/b", "a//b", "/a", "a/", "a~1", "a^1", "a:1", "a?", "a*", "a[1",
         "a\\b", "a@{1}", "a@b", "@", "a\tb", "a\x7fb", ""]


@pytest.mark.parametrize("name", NAMES)
def test_tag_name_rules_agree_with_git(tmp_path: Path, name: str) -> None:
    repo = make_repo(tmp_path)
    repo.commit("initial")
    made = subprocess.run(["git", "tag", "--", name], cwd=repo.root, capture_output=True,
                          check=False).returncode == 0
    assert (tag_name_problem(name) is None) == made, tag_name_problem(name)
