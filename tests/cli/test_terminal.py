"""What the command line prints carries no control characters from outside (chat titles, dataset text)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.terminal import printable
from storage import delivery as store
from storage.db import make_engine, transaction
from tests.cli.test_import_cli import CSV_HEADER, write

#: A group title that retitles the window, clears the screen, reverses the text and forges a table row.
HOSTILE = "\x1b]0;pwned\x07Evil\x1b[2J\u202eReaders\nforged row\x9b"


def clean(text: str) -> bool:
    return not any(ch in text for ch in "\x1b\x07\x9b\u202e")


def test_printable() -> None:
    assert printable(HOSTILE) == "]0;pwnedEvil[2JReaders\nforged row"
    assert printable(HOSTILE, one_line=True) == "]0;pwnedEvil[2JReaders forged row"
    assert printable("Ч 12 345 — ok") == "Ч 12 345 — ok"  # text and spaces are left alone


def test_subscribers_list_strips_a_hostile_title(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        store.subscribe(
            session, -400, chat_type="group", title=HOSTILE, now=datetime(2024, 10, 25, tzinfo=UTC)
        )
    engine.dispose()
    assert main(["subscribers"]) == 0
    out = capsys.readouterr().out
    assert clean(out) and "Evil[2JReaders forged row" in out
    assert len(out.splitlines()) == 2  # the header and one row: no forged line


@pytest.mark.usefixtures("db_url")
def test_import_conflicts_strip_a_hostile_source_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["import", str(write(tmp_path, "a.csv", CSV_HEADER + "2024-10-25,mine,,685910,9097,,\n"))]) == 0
    )
    other = write(tmp_path, "b.csv", CSV_HEADER + '2024-10-25,"\x1b[2Jtheirs\x07",,685000,9097,,\n')
    assert main(["import", str(other)]) == 0
    out = capsys.readouterr().out
    assert "conflict 2024-10-25" in out and "[2Jtheirs says personnel" in out and clean(out)
