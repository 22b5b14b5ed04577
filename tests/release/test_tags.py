from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

from orchestrator.release.tags import TagFormat, newest, tag_name_problem
from tests.gitutil import make_repo


def fmt(template: str, name: str = "", path: str = "") -> list[TagFormat]:
    return [TagFormat(template, name, path)]


def test_matching_is_anchored() -> None:
    tags = ["schema-validator-v9.0.0", "validator-v1.2.0", "validator-v1.10.0",
            "validator-core-v3.0.0", "validator-vnext", "xvalidator-v5.0.0"]
    found = newest(tags, fmt("{name}-v{version}", "validator"), "validator")
    assert found is not None
    assert found.name == "validator-v1.10.0"  # PEP 440 order, not string order
    assert newest(["validator-v1.0.0"], fmt("{name}-v{version}", "schema-validator"), "s") is None


def test_pre_releases_sort_before_their_final() -> None:
    found = newest(["lib-v2.0.0rc2", "lib-v2.0.0rc10", "lib-v1.9.0"],
                   fmt("{name}-v{version}", "lib"), "lib")
    assert found is not None and found.version == Version("2.0.0rc10")


def test_other_formats_and_name_spellings() -> None:
    [release] = fmt("release/{name}@{version}", "acme-db")
    assert release.render(Version("1.5.0")) == "release/acme-db@1.5.0"
    assert release.match("release/acme_db@1.5.0") == Version("1.5.0")
    assert release.match("release/acme-db@1.5.0-extra") is None
    assert release.match("prefix/release/acme-db@1.5.0") is None


@pytest.mark.parametrize(("template", "tag", "version"), [
    ("v{version}", "v2.33.0", "2.33.0"),  # one tag for the whole repository
    ("v{version}", "2.33.0", None),
    ("{version}", "1.2.11", "1.2.11"),
    ("{version}", "sdk==0.4.3", None),
    ("{name}=={version}", "sdk==0.4.3", "0.4.3"),  # a short name (tag-name = "sdk")
    ("{name}=={version}", "sdk==0.4.3rc1", "0.4.3rc1"),
    ("python-{name}-v{version}", "python-openinference-semconv-v0.1.32", "0.1.32"),
    ("{path}-v{version}", "integrations/chroma-v1.2.0", "1.2.0"),
    ("{path}-v{version}", "integrations/chromadb-v1.2.0", None),
    ("{name}-v{version}-{version}", "sdk-v1.0-1.0", "1.0"),  # the same version twice
    ("{name}-v{version}-{version}", "sdk-v1.0-2.0", None),
    ("{name}/{version}", "sdk/not-a-version", None),
])
def test_placeholders_name_path_and_version(template: str, tag: str,
                                            version: str | None) -> None:
    name = "openinference-semconv" if template.startswith("python") else "sdk"
    [tag_format] = fmt(template, name, "integrations/chroma")
    found = tag_format.match(tag)
    assert found == (Version(version) if version else None)
    if version is not None:
        assert tag_format.render(Version(version)) == tag


def test_every_format_of_a_list_is_read_and_the_highest_version_wins() -> None:
    formats = fmt("{name}=={version}", "cli") + fmt("{name}-v{version}", "langgraph-cli")
    found = newest(["langgraph-cli-v0.4.0", "cli==0.3.9", "cli==0.4.31", "other==9.0"],
                   formats, "langgraph-cli")
    assert found is not None and found.name == "cli==0.4.31"


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
