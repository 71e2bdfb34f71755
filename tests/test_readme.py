"""The README's first screen: the two commands a newcomer copies, and that CI runs the same test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The indented command lines before the first section heading."""
    first_screen = (ROOT / "README.md").read_text().split("\n## ", 1)[0]
    return [line.strip() for line in first_screen.splitlines() if re.match(r" {4}\S", line)]


def test_the_first_screen_gives_exactly_two_commands_and_neither_needs_shared() -> None:
    run, test = readme_commands()
    assert run.endswith("lossbot run") and "-c constraints.txt" in run
    assert "pytest" in test and "-c constraints.txt" in test
    assert "../shared" not in run + test


def test_ci_runs_the_readmes_test_command() -> None:
    _run, test = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci.splitlines()


def test_every_pinned_dependency_is_pinned_exactly() -> None:
    pins = [
        line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(pins) > 20 and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[A-Za-z0-9_.+-]+", p) for p in pins)
