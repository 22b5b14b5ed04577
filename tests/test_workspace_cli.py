from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.conftest import REPO_ROOT
from tests.gitutil import GitRepo

EXAMPLES = [
    "acme-api", "acme-config", "acme-db", "acme-gateway", "acme-http",
    "acme-log", "acme-metrics", "acme-signing", "acme-testing", "acme-worker",
]


def test_list_json_on_the_example_monorepo(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["root"] == "."
    packages = {p["name"]: p for p in data["packages"]}
    assert sorted(packages) == EXAMPLES
    api = packages["acme-api"]
    assert api["kind"] == "service" and api["path"] == "services/api"
    assert {"name": "acme-db", "specifier": ">=1.4,<1.5", "kind": "runtime"} in api["dependencies"]
    kinds = {d["kind"] for p in packages.values() for d in p["dependencies"]}
    assert {"runtime", "optional", "group"} <= kinds
    # Declared twice (Poetry 2: [project] and Poetry's path dependency): one entry.
    assert packages["acme-metrics"]["dependencies"] == [
        {"name": "acme-log", "specifier": ">=0.4", "kind": "runtime"}]


def test_list_names_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    names = run_cli(capsys, REPO_ROOT, "list", "--format", "names")
    assert names.stdout.split() == EXAMPLES
    table = run_cli(capsys, REPO_ROOT, "list")
    assert table.stdout.splitlines()[0].split() == ["package", "version", "kind", "path",
                                                    "depends", "on"]
    assert "packages/http-client" in table.stdout


def test_check_passes_on_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "check")
    assert result.exit_code == 0, result.stdout
    assert "10 packages checked: 0 error(s)" in result.stdout


def test_check_reports_errors_with_exit_1(capsys: pytest.CaptureFixture[str],
                                          repo: GitRepo) -> None:
    repo.package("packages/a", "a", version="2.0")
    repo.package("packages/b", "b", dependencies=["a<2"])
    result = run_cli(capsys, repo.root, "check", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["errors"] == 1
    assert data["findings"][0]["code"] == "specifier-excludes-version"
    assert data["findings"][0]["package"] == "b"


def test_config_shows_origins(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "config", "--format", "json")
    data = json.loads(result.stdout)
    assert data["settings"]["members"] == {"value": ["packages/*", "services/*"],
                                           "from": "pyproject.toml"}
    assert data["settings"]["global-files"]["from"] == "default"
    text = run_cli(capsys, REPO_ROOT, "config").stdout
    assert "global-files  (default)" in text and "/*requirements*.txt" in text


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"pyproject.toml": "[tool.orchestrator]\nmember = []\n"},
         "pyproject.toml [tool.orchestrator]: unknown key 'member' (did you mean 'members'?)"),
        ({"packages/a/pyproject.toml": '[project]\nname = "a"\nversion = "1\n'},
         "packages/a/pyproject.toml is not valid TOML"),
        ({"packages/a/pyproject.toml": '[project]\nname = "x"\n',
          "packages/b/pyproject.toml": '[project]\nname = "X"\n'},
         "1 package name is used more than once: 'x' in packages/a and packages/b"),
        ({"pyproject.toml": '[tool.orchestrator]\nmembers = ["/abs"]\n'},
         "must be a relative path"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, files: dict[str, str], message: str
) -> None:
    for path, text in files.items():
        repo.write(path, text)
    result = run_cli(capsys, repo.root, "list")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_not_a_repository(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run_cli(capsys, tmp_path, "list")
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.stderr


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "list", "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], repo: GitRepo) -> None:
    repo.write("pyproject.toml", "[tool.orchestrator]\nmember = []\n")
    from orchestrator.cli.main import main
    from orchestrator.errors import ConfigError

    with pytest.raises(ConfigError):
        main(["-C", str(repo.root), "--debug", "list"])


def test_config_option_reads_another_file(capsys: pytest.CaptureFixture[str], repo: GitRepo,
                                          tmp_path: Path) -> None:
    repo.package("libs/a", "a")
    repo.package("other/b", "b")
    config = tmp_path / "o.toml"
    config.write_text('[tool.orchestrator]\nmembers = ["libs/*"]\n')
    result = run_cli(capsys, repo.root, "--config", str(config), "list", "--format", "names")
    assert result.stdout.split() == ["a"]


def test_verbose_errors_add_the_underlying_cause(capsys: pytest.CaptureFixture[str],
                                                 repo: GitRepo) -> None:
    repo.write("packages/a/pyproject.toml", b"[project]\nname = '\xff'\n")
    quiet = run_cli(capsys, repo.root, "list")
    loud = run_cli(capsys, repo.root, "-v", "list")
    assert quiet.exit_code == loud.exit_code == 2
    assert "detail:" not in quiet.stderr
    assert "detail: 'utf-8' codec can't decode byte 0xff" in loud.stderr


def test_an_os_error_is_a_sentence_naming_the_file(capsys: pytest.CaptureFixture[str],
                                                   repo: GitRepo,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    repo.package("packages/a", "a")

    def denied(*args: object) -> str:
        raise PermissionError(13, "Permission denied", "packages/a/pyproject.toml")

    monkeypatch.setattr("orchestrator.render.listing.render_json", denied)
    result = run_cli(capsys, repo.root, "list", "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == "orchestrator: Permission denied: packages/a/pyproject.toml\n"


def test_a_relative_config_is_read_from_the_c_directory(capsys: pytest.CaptureFixture[str],
                                                        repo: GitRepo, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    repo.package("libs/a", "a")
    repo.package("other/b", "b")
    repo.write("ci/orchestrator.toml", 'members = ["libs/*"]\n')
    monkeypatch.chdir(tmp_path)
    result = run_cli(capsys, repo.root, "--config", "ci/orchestrator.toml", "list",
                     "--format", "names")
    assert (result.exit_code, result.stdout.split()) == (0, ["a"])


def test_list_at_a_commit_reads_git_objects(capsys: pytest.CaptureFixture[str],
                                            repo: GitRepo) -> None:
    repo.package("packages/a", "acme-a", version="1.0.0")
    repo.commit("first")
    repo.git("tag", "v1")
    repo.package("packages/a", "acme-a", version="2.0.0")
    repo.package("packages/b", "acme-b")
    result = run_cli(capsys, repo.root, "list", "--at", "v1", "--format", "json")
    assert [(p["name"], p["version"]) for p in json.loads(result.stdout)["packages"]] == [
        ("acme-a", "1.0.0")]
    missing = run_cli(capsys, repo.root, "list", "--at", "v9")
    assert missing.exit_code == 2 and "--at names 'v9'" in missing.stderr
