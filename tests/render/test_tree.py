from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

from orchestrator.render.graphview import select
from orchestrator.render.tree import render_tree
from tests.conftest import REPO_ROOT
from tests.render.helpers import affected_result, make_graph

# SGR parameters that set a colour (foreground or background, standard or bright or 256/rgb)
COLOUR = re.compile(r"\x1b\[(?:[0-9]*;)*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9]*)*m")


def test_plain_tree_of_dependencies() -> None:
    text = render_tree(select(make_graph()))
    assert "\x1b[" not in text
    lines = text.splitlines()
    assert lines[0] == "api 1.0.0 service"
    assert "├── db 1.0.0  runtime >=1.4" in lines[1]
    assert any("testkit 1.0.0  group" in line for line in lines)
    assert any(line.endswith("util 1.0.0  runtime (*)") for line in lines)


def test_colours_only_when_asked() -> None:
    view = select(make_graph(), affected=affected_result(make_graph(), {"db": ["x"]}))
    assert COLOUR.search(render_tree(view, style="colour"))
    mono = render_tree(view, style="mono")
    assert "\x1b[1m" in mono and "\x1b[2m" in mono  # bold and dim stay
    assert not COLOUR.search(mono)
    assert "\x1b[" not in render_tree(view, style="plain")


def on_a_terminal(*args: str, no_color: str | None) -> str:
    """What `orchestrator ARGS` prints to a real (pseudo-)terminal."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    controller, terminal = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "orchestrator", "-C", str(REPO_ROOT), *args],
                          stdout=terminal, stderr=subprocess.PIPE, env=env) as proc:
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the process is done writing
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 0
    os.close(controller)
    return b"".join(chunks).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_on_a_terminal_keeps_bold_and_dim_but_no_colour() -> None:
    coloured = on_a_terminal("graph", no_color=None)
    assert COLOUR.search(coloured)
    mono = on_a_terminal("graph", no_color="1")
    assert "\x1b[" in mono and not COLOUR.search(mono)
    assert COLOUR.search(on_a_terminal("graph", no_color=""))  # empty means unset
    plain = on_a_terminal("--no-color", "graph", no_color=None)
    assert "\x1b[" not in plain


def test_a_focus_shows_what_it_uses_and_what_uses_it() -> None:
    text = render_tree(select(make_graph(), focus=["db"], depth=1))
    assert text.splitlines() == [
        "db 1.0.0",
        "├── core 1.0.0  runtime >=1.2,<2",
        "└── testkit 1.0.0  group",
        "db 1.0.0 is used by",
        "└── api 1.0.0 service  runtime >=1.4",
    ]


def test_reverse_shows_dependents() -> None:
    text = render_tree(select(make_graph(), focus=["core"], reverse=True, depth=1))
    assert text.splitlines() == [
        "core 1.0.0",
        "├── db 1.0.0  runtime >=1.2,<2",
        "├── plugin 1.0.0  build",
        "└── util 1.0.0  runtime >=1.0",
    ]


def test_cycles_are_marked_where_they_close() -> None:
    graph = make_graph({"a": ("a", [("b", "runtime", "")]), "b": ("b", [("a", "runtime", "")])})
    assert render_tree(select(graph)).splitlines() == [
        "a 1.0.0", "└── b 1.0.0  runtime", "    └── a 1.0.0  runtime (cycle)"]


def test_affected_reasons_are_shown() -> None:
    graph = make_graph()
    text = render_tree(select(graph, affected=affected_result(graph, {"db": ["a", "b"]})))
    assert "api 1.0.0 service  affected via db" in text
    assert "db 1.0.0  runtime >=1.4  changed (2 files)" in text


def test_nothing_to_show() -> None:
    graph = make_graph()
    view = select(graph, affected=affected_result(graph, {}), only_affected=True)
    assert render_tree(view) == "no packages to show"
