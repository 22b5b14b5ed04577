"""Write a synthetic uv-workspace monorepo as a real git repository, deterministically.

    python benchmarks/genrepo.py OUT --packages N [--seed S] [--commits C] [--shape SHAPE]

The default shape, `layered`: libraries live in packages/, services (about one in ten,
depended on by nobody) in services/. Each package depends on 1-6 earlier libraries chosen
by preferential attachment, so a few core libraries are used very widely and the graph is
acyclic. Other shapes, for the graph views:

- `hub`: a core package that every integration depends on, whose `[all]` extra depends on
  every integration (one strongly connected group); python/packages/*, one in eight under
  python/packages/lab/*.
- `folders`: the layered graph spread over 12 folders (area-00/ ... area-11/, services/).
- `libs`: core/ and one package per folder, libs/lNNNN/pkg, each depending on core and on
  two earlier packages.
Metadata is mostly PEP 621 with `[tool.uv.sources] x = { workspace = true }`; some
internal requirements sit in optional extras or PEP 735 dependency groups instead.
Every package has a small module and a test file. After the initial import come C
commits of ordinary edits to random packages; none of them changes the graph.

The whole history is one `git fast-import` stream with fixed dates, so the same
arguments give the same commit ids. Standard library only.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DOMAINS = (
    "accounts", "alerts", "archive", "assets", "audit", "avatars", "backup", "batch",
    "billing", "blobs", "budget", "cache", "calendar", "cart", "catalog", "charts", "checkout",
    "clock", "cluster", "codec", "comments", "compliance", "config", "consent", "contracts",
    "coupons", "crm", "cron", "currency", "dashboards", "datasets", "dedupe", "delivery",
    "devices", "discounts", "dns", "documents", "drafts", "email", "embeddings",
    "entitlements", "events", "experiments", "exports", "feeds", "files", "filters",
    "forecasts", "forms", "fulfilment", "geo", "grants", "graphs", "health", "i18n",
    "identity", "images", "imports", "invoices", "jobs", "journal", "keys", "kyc", "labels",
    "ledger", "leases", "limits", "links", "loyalty", "mail", "maps", "markets", "media",
    "metering", "migrations", "notes", "offers", "onboarding", "orders", "outbox", "packages",
    "pages", "partners", "payouts", "pdf", "permissions", "pipelines", "plans", "policies",
    "polls", "pricing", "profiles", "promotions", "queues", "quotas", "ratings", "receipts",
    "refunds", "regions", "reports", "retries", "reviews", "risk", "routing", "rules",
    "schedules", "schemas", "search", "secrets", "sessions", "settlements", "shipping",
    "signals", "sitemaps", "skus", "slots", "snapshots", "sockets", "stock", "storage",
    "streams", "subscriptions", "support", "surveys", "sync", "tags", "tax", "teams",
    "tenants", "tickets", "timeline", "tokens", "traces", "transfers", "translations", "trips",
    "uploads", "usage", "vendors", "videos", "wallets", "webhooks", "workflows", "zones",
)
ROLES = ("core", "client", "models", "utils", "sdk", "store", "adapters", "schema", "common", "io")
EXTERNAL = (
    "attrs>=23.1", "httpx>=0.27", "pydantic>=2.6", "orjson>=3.9", "structlog>=24.1",
    "sqlalchemy>=2.0", "tenacity>=8.2", "python-dateutil>=2.9", "cryptography>=42",
    "redis>=5.0", "boto3>=1.34", "msgspec>=0.18",
)
SERVICE_EXTERNAL = ("fastapi>=0.110", "uvicorn>=0.29", "gunicorn>=21.2")
SERVICE_SHARE = 0.1
IDENTITY = b"Synthetic Committer <synthetic@example.invalid>"
START = 1_600_000_000  # a fixed clock makes commit ids repeat


SHAPES = ("layered", "hub", "folders", "libs")
FOLDERS = 12
MEMBER_GLOBS = {
    "layered": ["packages/*", "services/*"],
    "hub": ["python/packages/*", "python/packages/lab/*"],
    "folders": [*(f"area-{i:02d}/*" for i in range(FOLDERS)), "services/*"],
    "libs": ["core", "libs/*/pkg"],
}


@dataclass
class Member:
    """One generated package: where it lives and what it depends on."""

    name: str
    service: bool
    runtime: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    folder: str = ""  # the package's directory, when not packages/NAME or services/NAME
    extra_name: str = "extra"

    @property
    def directory(self) -> str:
        if self.folder:
            return self.folder
        return f"{'services' if self.service else 'packages'}/{self.name}"

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")


def package_names(count: int, rng: random.Random) -> list[str]:
    """Distinct, plausible names; a numeric suffix once the word pairs run out."""
    pairs = [f"{d}-{r}" for d in DOMAINS for r in ROLES]
    rng.shuffle(pairs)
    return [
        f"acme-{pairs[i % len(pairs)]}" + ("" if i < len(pairs) else str(i // len(pairs) + 1))
        for i in range(count)
    ]


def build_members(count: int, rng: random.Random) -> list[Member]:
    """The dependency graph: preferential attachment over earlier libraries, so acyclic."""
    members: list[Member] = []
    pool: list[int] = []  # each library once, plus once more per dependent it has
    libraries = 0
    for i, name in enumerate(package_names(count, rng)):
        member = Member(name, service=i >= 3 and rng.random() < SERVICE_SHARE)
        wanted = min(rng.randint(1, 6), libraries)
        chosen: set[int] = set()
        while len(chosen) < wanted:
            chosen.add(rng.choice(pool))
        for j in sorted(chosen):
            _place(member, members[j].name, rng)
            pool.append(j)
        if not member.service:
            pool.append(i)
            libraries += 1
        members.append(member)
    return members


def hub_members(count: int) -> list[Member]:
    """A core, and integrations that need it; core's `[all]` extra names them all."""
    core = Member("agent-framework-core", service=False, folder="python/packages/core",
                  extra_name="all")
    members = [core]
    for i in range(1, count):
        name = f"agent-framework-{DOMAINS[i % len(DOMAINS)]}" + (
            "" if i < len(DOMAINS) else str(i // len(DOMAINS) + 1))
        lab = "lab/" if i % 8 == 0 else ""
        members.append(Member(name, service=False, runtime=[core.name],
                              folder=f"python/packages/{lab}{name.removeprefix('agent-framework-')}"))
        core.extras.append(name)
    return members


def folder_members(count: int, rng: random.Random) -> list[Member]:
    """The layered graph, its libraries spread over FOLDERS folders."""
    members = build_members(count, rng)
    for i, member in enumerate(members):
        if not member.service:
            member.folder = f"area-{i % FOLDERS:02d}/{member.name}"
    return members


def lib_members(count: int, rng: random.Random) -> list[Member]:
    """core/, then libs/lNNNN/pkg: each on core and on two earlier packages."""
    members = [Member("acme-core", service=False, folder="core")]
    for i in range(1, count):
        earlier = sorted(rng.sample(range(1, i), min(2, i - 1)))
        members.append(Member(f"acme-lib-{i:04d}", service=False, folder=f"libs/l{i:04d}/pkg",
                              runtime=["acme-core", *(members[j].name for j in earlier)]))
    return members


def shaped_members(shape: str, count: int, rng: random.Random) -> list[Member]:
    if shape == "hub":
        return hub_members(count)
    if shape == "folders":
        return folder_members(count, rng)
    if shape == "libs":
        return lib_members(count, rng)
    return build_members(count, rng)


def _place(member: Member, dependency: str, rng: random.Random) -> None:
    """Most internal requirements are runtime; some are extras or development groups."""
    roll = rng.random()
    if roll < 0.08:
        member.extras.append(dependency)
    elif roll < 0.16:
        member.groups.append(dependency)
    else:
        member.runtime.append(dependency)


def _quoted(items: list[str], indent: str = "    ") -> list[str]:
    return [f'{indent}"{item}",' for item in items]


def pyproject(member: Member, rng: random.Random) -> str:
    """A member's pyproject.toml: PEP 621, uv sources, hatchling, pytest settings."""
    pool = EXTERNAL + (SERVICE_EXTERNAL if member.service else ())
    external = sorted(rng.sample(pool, rng.randint(0, 3)))
    lines = [
        "[project]",
        f'name = "{member.name}"',
        f'version = "{rng.randint(0, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"',
        f'description = "{member.name} for the synthetic monorepo"',
        'requires-python = ">=3.11"',
        "dependencies = [",
        *_quoted([*member.runtime, *external]),
        "]",
        "",
    ]
    if member.extras:
        lines += ["[project.optional-dependencies]", f"{member.extra_name} = [",
                  *_quoted(member.extras), "]", ""]
    lines += ["[dependency-groups]", "test = [", *_quoted(["pytest>=8", *member.groups]), "]", ""]
    internal = sorted({*member.runtime, *member.extras, *member.groups})
    if internal:
        lines += ["[tool.uv.sources]", *(f"{n} = {{ workspace = true }}" for n in internal), ""]
    lines += [
        "[build-system]",
        'requires = ["hatchling>=1.24"]',
        'build-backend = "hatchling.build"',
        "",
        "[tool.pytest.ini_options]",
        'testpaths = ["tests"]',
        "",
    ]
    return "\n".join(lines)


def module_source(member: Member) -> str:
    imports = [f"import {n.replace('-', '_')}  # noqa: F401" for n in member.runtime[:3]]
    return "\n".join([
        f'"""{member.name}."""', "", *imports, "",
        f'NAME = "{member.name}"', "", "",
        "def describe() -> str:",
        "    return NAME", "",
    ])


def test_source(member: Member) -> str:
    return (f"from {member.module} import describe\n\n\n"
            f"def test_describe() -> None:\n    assert describe() == {member.name!r}\n")


ROOT_PYPROJECT = """\
[tool.uv.workspace]
members = [{members}]

[dependency-groups]
dev = ["pytest>=8", "ruff>=0.6"]
"""


def initial_files(members: list[Member], rng: random.Random,
                  shape: str = "layered") -> dict[str, bytes]:
    globs = ", ".join(f'"{g}"' for g in MEMBER_GLOBS[shape])
    files = {
        "pyproject.toml": ROOT_PYPROJECT.format(members=globs),
        "README.md": f"# Synthetic monorepo\n\n{len(members)} packages.\n",
        ".gitignore": "__pycache__/\n.venv/\ndist/\n",
    }
    for m in members:
        files[f"{m.directory}/pyproject.toml"] = pyproject(m, rng)
        files[f"{m.directory}/README.md"] = f"# {m.name}\n"
        files[f"{m.directory}/src/{m.module}/__init__.py"] = module_source(m)
        files[f"{m.directory}/tests/test_{m.module}.py"] = test_source(m)
    return {path: text.encode() for path, text in files.items()}


def edit(number: int, members: list[Member], files: dict[str, bytes],
         rng: random.Random) -> tuple[str, bytes]:
    """One ordinary change: code, tests, docs, a new module, or a harmless pyproject note."""
    if rng.random() < 0.02:
        return "README.md", files["README.md"] + f"\nRevision {number}.\n".encode()
    m = rng.choice(members)
    roll = rng.random()
    if roll < 0.4:
        path, text = f"{m.directory}/src/{m.module}/__init__.py", (
            f"\n\ndef helper_{number}() -> int:\n    return {number}\n")
    elif roll < 0.7:
        path, text = f"{m.directory}/tests/test_{m.module}.py", (
            f"\n\ndef test_case_{number}() -> None:\n    assert {number} > 0\n")
    elif roll < 0.82:
        path, text = f"{m.directory}/README.md", f"\nNote {number}.\n"
    elif roll < 0.95:
        path, text = f"{m.directory}/src/{m.module}/part_{number}.py", f"VALUE = {number}\n"
    else:
        path, text = f"{m.directory}/pyproject.toml", f"# reviewed in change {number}\n"
    return path, files.get(path, b"") + text.encode()


def history(members: list[Member], commits: int, rng: random.Random,
            shape: str = "layered") -> Iterator[tuple[str, dict[str, bytes]]]:
    """The initial import, then `commits` commits of one to three edits each."""
    files = initial_files(members, rng, shape)
    yield f"Import {len(members)} packages", dict(files)
    for number in range(1, commits + 1):
        changed = dict(edit(number, members, files, rng) for _ in range(rng.randint(1, 3)))
        files.update(changed)
        yield f"Change {number}: {len(changed)} file(s)", changed


def fast_import_stream(commits: Iterator[tuple[str, dict[str, bytes]]]) -> Iterator[bytes]:
    """Commands for `git fast-import`: one commit per item on refs/heads/main."""
    for index, (message, files) in enumerate(commits):
        stamp = IDENTITY + b" %d +0000" % (START + 3600 * index)
        text = message.encode() + b"\n"
        yield (b"commit refs/heads/main\nauthor %s\ncommitter %s\ndata %d\n%s"
               % (stamp, stamp, len(text), text))
        for path in sorted(files):
            data = files[path]
            yield b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
        yield b"\n"
    yield b"done\n"


def git(out: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(out), *args], check=True)


def generate(out: Path, packages: int, seed: int, commits: int,
             shape: str = "layered") -> dict[str, int]:
    """Replace `out` with the generated repository; returns a few counts about it."""
    rng = random.Random(seed)
    members = shaped_members(shape, packages, rng)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    git(out, "init", "-q", "-b", "main")
    git(out, "config", "user.name", "Synthetic Committer")
    git(out, "config", "user.email", "synthetic@example.invalid")
    importer = subprocess.Popen(["git", "-C", str(out), "fast-import", "--quiet", "--done"],
                                stdin=subprocess.PIPE)
    assert importer.stdin is not None
    with importer.stdin:
        importer.stdin.write(b"".join(fast_import_stream(history(members, commits, rng,
                                                                       shape))))
    if importer.wait() != 0:
        raise SystemExit("genrepo: git fast-import failed")
    git(out, "checkout", "-q", "-f", "main")
    return {
        "packages": packages,
        "services": sum(m.service for m in members),
        "edges": sum(len(m.runtime) + len(m.extras) + len(m.groups) for m in members),
        "commits": commits + 1,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--packages", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--shape", choices=SHAPES, default="layered")
    args = parser.parse_args(argv)
    if args.packages < 1 or args.commits < 0:
        parser.error("--packages must be at least 1 and --commits at least 0")
    started = time.perf_counter()
    info = generate(args.out, args.packages, args.seed, args.commits, args.shape)
    seconds = time.perf_counter() - started
    print(" ".join(f"{k}={v}" for k, v in info.items()) + f" seconds={seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
