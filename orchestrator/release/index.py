"""What a package index already holds: its PEP 503 simple pages and the files they link."""

from __future__ import annotations

import base64
import posixpath
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import OrchestratorError
from orchestrator.workspace.metadata import canonical
from orchestrator.workspace.values import scrub_url as scrub_url  # publish says it too

_HREF = re.compile(r"""<a\s[^>]*href=["']([^"']+)["']""", re.IGNORECASE)
_KNOWN = {"https://upload.pypi.org/legacy/": "https://pypi.org/simple/",
          "https://test.pypi.org/legacy/": "https://test.pypi.org/simple/"}


@dataclass(frozen=True)
class IndexFile:
    filename: str
    url: str
    sha256: str | None


@dataclass(frozen=True)
class Credentials:
    """A user name and password, as an index URL's `user:password@` gave them."""

    username: str
    password: str

    def header(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {token}"


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """`url` without its user information, and that information (percent-decoded)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    clean = urllib.parse.urlunsplit(parts._replace(netloc=host))
    return clean, Credentials(urllib.parse.unquote(username), urllib.parse.unquote(password))


def _request(url: str, credentials: Credentials | None, origin: str) -> urllib.request.Request:
    """A GET of `url`, with the credentials only when it is on the index's own host."""
    request = urllib.request.Request(url)  # noqa: S310 (http(s) URLs, checked by publish)
    if credentials is not None and _host(url) == _host(origin):
        request.add_header("Authorization", credentials.header())
    return request


def _host(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


def simple_url_for(repository_url: str) -> str:
    """The simple index that matches an upload URL (PyPI's, `<url>/simple/`, or the URL
    itself when it is a simple index already: pypiserver takes uploads there too)."""
    base = repository_url if repository_url.endswith("/") else repository_url + "/"
    if urllib.parse.urlsplit(base).path.endswith("/simple/"):
        return base
    return _KNOWN.get(base, urllib.parse.urljoin(base, "simple/"))



def files_for(index_url: str, project: str,
              credentials: Credentials | None = None) -> dict[str, IndexFile]:
    """The files the index lists for `project`, by lower-case file name ({} when none)."""
    base = index_url if index_url.endswith("/") else index_url + "/"
    page_url = urllib.parse.urljoin(base, canonical(project) + "/")
    try:
        request = _request(page_url, credentials, index_url)
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            html = response.read().decode("utf-8", errors="replace")
            page_url = response.geturl()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return {}
        raise OrchestratorError(f"cannot read {scrub_url(page_url)}: HTTP {e.code}") from e
    except (urllib.error.URLError, OSError) as e:
        raise OrchestratorError(f"cannot reach the index at {scrub_url(page_url)}: {e}") from e
    found = {}
    for href in _HREF.findall(html):
        url, _, fragment = urllib.parse.urljoin(page_url, href).partition("#")
        name = posixpath.basename(urllib.parse.urlsplit(url).path)
        digest = fragment[len("sha256="):] if fragment.startswith("sha256=") else None
        found[name.lower()] = IndexFile(name, url, digest)
    return found


def download(file: IndexFile, directory: Path, index_url: str,
             credentials: Credentials | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / file.filename
    try:
        request = _request(file.url, credentials, index_url)
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            target.write_bytes(response.read())
    except (urllib.error.URLError, OSError) as e:
        raise OrchestratorError(f"cannot download {scrub_url(file.url)}: {e}") from e
    return target
