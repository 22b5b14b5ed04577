"""Requirement sites: the specifier found as written, and moved in place."""

from __future__ import annotations

import pytest
from packaging.version import Version

from orchestrator.release.sites import requirement_sites


@pytest.mark.parametrize(("written", "specifier", "moved"), [
    ("t-core>=1.2,<1.3", ">=1.2,<1.3", "t-core>=1.3,<1.4"),
    ("t-core >= 1.2 , < 1.3", ">= 1.2 , < 1.3", "t-core >=1.3, <1.4"),
    ("t-core (>=1.2,<1.3)", ">=1.2,<1.3", "t-core (>=1.3,<1.4)"),
    ("t-core<1.3,>=1.2", "<1.3,>=1.2", "t-core<1.4,>=1.3"),
    ("t-core[x, y]~=1.2 ; python_version >= '1.2'", "~=1.2", "t-core[x, y]~=1.3 ; "
                                                            "python_version >= '1.2'"),
    ("t-core>=1.25,>=1.2", ">=1.25,>=1.2", None),
    ("t-core==1.2.*", "==1.2.*", "t-core==1.3.*"),
    ("t-core", "", None),
    ("t-core; python_version < '3.12'", "", None),
])
def test_the_specifier_is_found_as_written(written: str, specifier: str,
                                           moved: str | None) -> None:
    [site] = requirement_sites({"project": {"dependencies": [written]}})["t-core"]
    assert site.specifier == specifier and site.text == written
    if moved is not None:
        assert site.moved_to(Version("1.3.0"))[0] == moved


def test_a_url_requirement_has_no_site() -> None:
    doc = {"project": {"dependencies": ["t-core @ https://example.org/t_core-1.0.tar.gz"]}}
    assert requirement_sites(doc) == {}
