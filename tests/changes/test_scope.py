"""What a repository can leave out: workspace-wide `ignore`, and the edge kinds followed."""

from __future__ import annotations

import json

import pytest

from tests.cli import Result, run_cli
from tests.gitutil import GitRepo

ROOT = '[tool.orchestrator]\nmembers = ["packages/*"]\n'


def answer(result: Result) -> dict[str, object]:
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


@pytest.fixture
def docs(repo: GitRepo) -> GitRepo:
    repo.write("pyproject.toml", ROOT + 'ignore = ["**/*.md", "docs/**"]\n')
    for name in ("a", "b", "c"):
        repo.package(f"packages/{name}", f"acme-{name}")
        repo.write(f"packages/{name}/README.md", "# readme\n")
    repo.commit("initial")
    return repo


def test_a_readme_only_change_affects_nothing(
        capsys: pytest.CaptureFixture[str], docs: GitRepo) -> None:
    for name in ("a", "b", "c"):
        docs.write(f"packages/{name}/README.md", "# better\n")
    docs.write("docs/guide/index.html", "<p>\n")
    found = answer(run_cli(capsys, docs.root, "affected", "--base", "HEAD", "--format", "json"))
    assert found["affected"] == [] and found["unowned_files"] == []
    assert len(found["changed_files"]) == 4  # type: ignore[arg-type]


def test_metadata_is_never_ignored(capsys: pytest.CaptureFixture[str], docs: GitRepo) -> None:
    docs.write("pyproject.toml", ROOT + 'ignore = ["**/*.toml"]\n')
    docs.commit("ignore every toml file")
    docs.package("packages/a", "acme-a", dependencies=["requests"])
    found = answer(run_cli(capsys, docs.root, "affected", "--base", "HEAD", "--format", "json"))
    assert found["affected"] == ["acme-a"]
    docs.write("pyproject.toml", ROOT + 'ignore = ["**/*.toml"]\nbase = "main"\n')
    found = answer(run_cli(capsys, docs.root, "affected", "--base", "HEAD", "--format", "json"))
    assert found["global_files"] == ["pyproject.toml"]


def test_an_ignore_added_by_the_change_does_not_exempt_it(
        capsys: pytest.CaptureFixture[str], repo: GitRepo) -> None:
    repo.write("pyproject.toml", ROOT)
    repo.package("packages/a", "acme-a")
    repo.commit("initial")
    repo.write("pyproject.toml", ROOT + 'ignore = ["**/*.py"]\n')
    repo.write("packages/a/src/acme_a/more.py", "X = 1\n")
    found = answer(run_cli(capsys, repo.root, "affected", "--base", "HEAD", "--committed-only",
                           "--head", "HEAD", "--format", "json"))
    assert found["affected"] == []  # nothing committed yet
    repo.commit("ignore python and change it")
    found = answer(run_cli(capsys, repo.root, "affected", "--base", "HEAD~1", "--head", "HEAD",
                           "--format", "json"))
    assert "acme-a" in found["affected"]  # type: ignore[operator]


@pytest.fixture
def hub(repo: GitRepo) -> GitRepo:
    """core's [all] extra depends on every integration; each integration depends on core."""
    repo.package("packages/core", "acme-core",
                 extra='[project.optional-dependencies]\nall = ["acme-x", "acme-y"]\n')
    repo.package("packages/x", "acme-x", dependencies=["acme-core"])
    repo.package("packages/y", "acme-y", dependencies=["acme-core"])
    repo.package("packages/app", "acme-app", dependencies=["acme-x"])
    repo.commit("a hub with a cycle through an extra")
    return repo


def affected_by_x(capsys: pytest.CaptureFixture[str], hub: GitRepo) -> dict[str, object]:
    hub.write("packages/x/src/acme_x/more.py", "X = 1\n")
    return answer(run_cli(capsys, hub.root, "affected", "--base", "HEAD", "--format", "json"))


def test_every_kind_is_followed_by_default(
        capsys: pytest.CaptureFixture[str], hub: GitRepo) -> None:
    found = affected_by_x(capsys, hub)
    assert found["affected"] == ["acme-app", "acme-core", "acme-x", "acme-y"]
    assert found["affected_kinds"] == ["runtime", "optional", "group", "build", "source"]


def test_affected_kinds_leave_optional_edges_out(
        capsys: pytest.CaptureFixture[str], hub: GitRepo) -> None:
    hub.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*"]\n'
                                'affected-kinds = ["runtime", "build", "group", "source"]\n')
    hub.commit("follow what ships only")
    found = affected_by_x(capsys, hub)
    assert found["affected"] == ["acme-app", "acme-x"]
    assert found["affected_kinds"] == ["runtime", "group", "build", "source"]
    assert found["reasons"]["acme-app"] == [  # type: ignore[index]
        {"type": "dependency", "via": "acme-x", "kind": "runtime"}]
    why = run_cli(capsys, hub.root, "why", "acme-core", "--base", "HEAD")
    assert why.stdout.startswith("acme-core is not affected")
    config = answer(run_cli(capsys, hub.root, "config", "--format", "json"))
    assert "affected-kinds" in json.dumps(config)


def test_an_unknown_kind_is_an_error(capsys: pytest.CaptureFixture[str], hub: GitRepo) -> None:
    hub.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*"]\n'
                                'affected-kinds = ["runtim"]\n')
    result = run_cli(capsys, hub.root, "affected")
    assert result.exit_code == 2
    assert "affected-kinds: unknown edge kind 'runtim' (did you mean 'runtime'?)" in result.stderr


def test_order_kinds_let_a_cycle_through_an_extra_build(
        capsys: pytest.CaptureFixture[str], hub: GitRepo) -> None:
    tasks = ('[tool.orchestrator.tasks.ordered]\ncommand = ["{python}", "-c", "pass"]\n'
             "needs-dependencies = true\n")
    hub.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*"]\n' + tasks)
    hub.commit("a task in dependency order")
    refused = run_cli(capsys, hub.root, "run", "ordered", "--no-cache")
    assert refused.exit_code == 2
    assert "dependency cycle acme-core -> acme-x (optional) -> acme-core (runtime)\n" \
           "hint: an order follows runtime, optional, build edges: `order-kinds` in " \
           "[tool.orchestrator] can leave out a kind this cycle needs" in refused.stderr
    hub.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*"]\n'
                                'order-kinds = ["runtime", "build"]\n' + tasks)
    hub.commit("order by what a build needs")
    assert run_cli(capsys, hub.root, "run", "ordered", "--no-cache").exit_code == 0


def test_why_gives_the_chain_as_data_and_names_the_kinds_followed(
        capsys: pytest.CaptureFixture[str], hub: GitRepo) -> None:
    hub.write("packages/core/src/acme_core/more.py", "X = 1\n")
    data = answer(run_cli(capsys, hub.root, "why", "acme-app", "--base", "HEAD", "--format",
                          "json"))
    assert data["cause"] == {"type": "changed-files",
                             "files": ["packages/core/src/acme_core/more.py"]}
    assert data["chain"] == [{"package": "acme-core", "kind": None},
                             {"package": "acme-x", "kind": "runtime"},
                             {"package": "acme-app", "kind": "runtime"}]
    hub.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*"]\n'
                                'affected-kinds = ["runtime"]\n')
    text = run_cli(capsys, hub.root, "why", "acme-app", "--base", "HEAD").stdout
    assert text.splitlines()[-1] == "(dependents found over runtime edges: affected-kinds)"


def hub_lock(client: str, pytest_version: str = "8.0.0") -> str:
    """uv.lock of the hub: acme-x needs x-client; acme-core's [all] extra installs acme-x."""
    members = "".join(
        f'[[package]]\nname = "acme-{name}"\nversion = "1.0.0"\n'
        f'source = {{ editable = "packages/{name}" }}\ndependencies = [{deps}]\n\n'
        for name, deps in (("app", '{ name = "acme-x" }'),
                           ("x", '{ name = "acme-core" }, { name = "x-client" }'),
                           ("y", '{ name = "acme-core" }')))
    return (f'version = 1\nrequires-python = ">=3.11"\n\n{members}'
            '[[package]]\nname = "acme-core"\nversion = "1.0.0"\n'
            'source = { editable = "packages/core" }\n\n'
            '[package.optional-dependencies]\nall = [{ name = "acme-x" }, { name = "acme-y" }]\n\n'
            '[package.dev-dependencies]\ndev = [{ name = "pytest" }]\n\n'
            f'[[package]]\nname = "x-client"\nversion = "{client}"\n'
            'source = { registry = "https://pypi.org/simple" }\n\n'
            f'[[package]]\nname = "pytest"\nversion = "{pytest_version}"\n'
            'source = { registry = "https://pypi.org/simple" }\n')


def lock_bump(capsys: pytest.CaptureFixture[str], hub: GitRepo, kinds: str,
              after: str) -> dict[str, object]:
    hub.write("pyproject.toml", f"{ROOT}affected-kinds = {kinds}\n")
    hub.write("uv.lock", hub_lock("1.0"))
    hub.commit("a locked hub")
    hub.write("uv.lock", after)
    return answer(run_cli(capsys, hub.root, "affected", "--base", "HEAD", "--format", "json"))


def test_the_lock_closure_follows_only_the_kinds_affected_follows(
        capsys: pytest.CaptureFixture[str], hub: GitRepo) -> None:
    every = '["runtime", "optional", "group", "build", "source"]'
    found = lock_bump(capsys, hub, every, hub_lock("1.1"))
    # core[all] installs x-client; app installs it through acme-x
    assert found["directly_changed"] == ["acme-app", "acme-core", "acme-x"]
    found = lock_bump(capsys, hub, '["runtime", "group", "build", "source"]', hub_lock("1.1"))
    assert found["directly_changed"] == ["acme-app", "acme-x"]
    assert found["affected"] == ["acme-app", "acme-x"]
    found = lock_bump(capsys, hub, '["runtime", "optional", "build", "source"]',
                      hub_lock("1.0", pytest_version="8.1.0"))
    assert found["affected"] == []  # only core's own dev group has pytest


def test_leaving_optional_out_keeps_what_a_requirement_asks_of_an_extra(
        capsys: pytest.CaptureFixture[str], hub: GitRepo) -> None:
    hub.package("packages/meta", "acme-meta", dependencies=["acme-core[all]>=1.0"])
    hub.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*"]\n'
                                'affected-kinds = ["runtime", "build", "group", "source"]\n')
    hub.commit("a meta-package installs core with every integration")
    found = affected_by_x(capsys, hub)
    assert found["affected"] == ["acme-app", "acme-meta", "acme-x"]  # not core: its [all]
    assert found["reasons"]["acme-meta"] == [  # type: ignore[index]
        {"type": "dependency", "via": "acme-x", "kind": "runtime"}]
    why = run_cli(capsys, hub.root, "why", "acme-meta", "--base", "HEAD")
    assert "acme-x → acme-meta (runtime)" in why.stdout
