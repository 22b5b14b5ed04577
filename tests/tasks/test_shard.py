from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrator.errors import OrchestratorError
from orchestrator.tasks.shard import parse_shard, pick, read_durations, split, write_durations

NAMES = [f"pkg-{i:03d}" for i in range(23)]


@given(st.lists(st.text("abcdefgh-", min_size=1, max_size=6), unique=True, max_size=40),
       st.integers(min_value=1, max_value=7),
       st.dictionaries(st.text("abcdefgh-", min_size=1, max_size=6),
                       st.floats(min_value=0, max_value=1000), max_size=20))
def test_shards_are_disjoint_and_cover_the_selection(names: list[str], count: int,
                                                     durations: dict[str, float]) -> None:
    shards = split(names, count, durations)
    assert len(shards) == count
    flat = [n for shard in shards for n in shard]
    assert sorted(flat) == sorted(names)
    assert len(flat) == len(set(flat))


def test_without_durations_the_split_is_by_count() -> None:
    sizes = [len(s) for s in split(NAMES, 4, {})]
    assert sorted(sizes) == [5, 6, 6, 6]


def test_durations_balance_the_load() -> None:
    durations = {"slow": 100.0, "a": 10.0, "b": 10.0, "c": 10.0, "d": 10.0}
    assert split(list(durations), 2, durations) == [["slow"], ["a", "b", "c", "d"]]


def test_unknown_packages_weigh_the_median_duration() -> None:
    durations = {"a": 4.0, "b": 4.0, "c": 4.0}
    shards = split(["a", "b", "c", "new"], 2, durations)
    assert sorted(len(s) for s in shards) == [2, 2]


def test_separate_processes_compute_the_same_shards(tmp_path: Path) -> None:
    durations = tmp_path / "durations.json"
    write_durations(durations, {n: (i * 7) % 11 + 0.5 for i, n in enumerate(NAMES)})
    code = ("import json, sys; from pathlib import Path; "
            "from orchestrator.tasks.shard import pick, read_durations; "
            "k = int(sys.argv[1]); names = json.loads(sys.argv[2]); "
            "print(json.dumps(pick(names, (k, 3), read_durations(Path(sys.argv[3])))))")
    shards = []
    for k in (1, 2, 3):
        # Each process gets the names in a different order, as machines might list them.
        order = NAMES[k:] + NAMES[:k]
        out = subprocess.run([sys.executable, "-c", code, str(k), json.dumps(order),
                              str(durations)], capture_output=True, text=True, check=True)
        shards.append(json.loads(out.stdout))
    assert sorted(n for s in shards for n in s) == NAMES
    local = read_durations(durations)
    assert shards == [pick(NAMES, (k, 3), local) for k in (1, 2, 3)]


def test_durations_file_merges_and_reads_run_reports(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    assert read_durations(path) == {}  # the first CI run has none yet
    write_durations(path, {"a": 1.0, "b": 2.0})
    write_durations(path, {"b": 3.0})
    assert read_durations(path) == {"a": 1.0, "b": 3.0}
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"task": "test", "results": [
        {"package": "a", "status": "cached", "duration": 0.0, "measured": 4.5},
        {"package": "b", "status": "passed", "duration": 2.0},
        {"package": "c", "status": "skipped", "duration": 0.0}]}))
    assert read_durations(report) == {"a": 4.5, "b": 2.0}


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0"])
def test_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(OrchestratorError, match="must be K/N"):
        parse_shard(text)


def test_parse_shard() -> None:
    assert parse_shard("2/4") == (2, 4)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-5"])
def test_durations_that_are_not_finite_or_negative_are_refused(tmp_path: Path,
                                                               value: str) -> None:
    path = tmp_path / "d.json"
    path.write_text(f'{{"durations": {{"acme-a": {value}}}}}')
    with pytest.raises(OrchestratorError, match="not a finite number >= 0"):
        read_durations(path)


@given(st.lists(st.text("abcdefgh-", min_size=1, max_size=6), unique=True, max_size=12),
       st.integers(min_value=1, max_value=20),
       st.dictionaries(st.text("abcdefgh-", min_size=1, max_size=6),
                       st.floats(min_value=0, max_value=1000), max_size=12))
def test_picking_a_shard_is_the_full_split_without_building_it(
        names: list[str], count: int, durations: dict[str, float]) -> None:
    shards = split(names, count, durations)
    assert [pick(names, (k, count), durations) for k in range(1, count + 1)] == shards


def test_any_shard_count_is_answered_more_shards_than_packages_are_empty() -> None:
    huge = parse_shard("99999999999999999999/99999999999999999999")
    assert pick(NAMES, huge, {}) == []
    assert pick(NAMES, parse_shard("1/99999999999999999999"), {}) == [NAMES[0]]
    assert pick([], (1, 3), {}) == []
