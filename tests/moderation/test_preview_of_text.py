"""The preview of a pasted text: findings say which line they came from, parser warnings speak the
moderator's language, and a text with swapped numbers can never be published without a second look."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from sqlalchemy import Engine

from bot.domain.bounds import ImpossibleReport
from bot.domain.parser import parse_report
from bot.moderation import workflow as mod
from storage.db import make_engine, transaction
from tests.domain.test_parser_layouts import relay_reports
from tests.moderation.test_moderation import DAY, INCREASES, report_text, seed, seeded_totals


def preview_of(engine: Engine, text: str, *, as_of: date = DAY) -> mod.Preview:
    parsed = parse_report(text, as_of=as_of)
    with transaction(engine) as session:
        return mod.preview_of_parsed(session, parsed, today=as_of)


def test_a_total_below_the_previous_one_is_an_error_that_names_its_line(seeded: Engine) -> None:
    previous = seeded_totals(DAY - timedelta(days=1))["tanks"]
    text = report_text().replace(f"tanks - {previous + INCREASES['tanks']}", f"tanks - {previous - 2}")

    p = preview_of(seeded, text)

    assert p.has_errors
    went_down = f"Tanks: the total went down, {previous:,} → {previous - 2:,}"
    assert f'{went_down} — in the line "tanks - {previous - 2} (+7)"' in mod.render_preview(p, "en")
    assert "у рядку" in mod.render_preview(p, "uk")


def test_an_ambiguous_figure_shows_as_missing_with_the_warning_in_the_moderators_language(
    seeded: Engine,
) -> None:
    # Personnel's line does not say whether 1,630 is the total or the day's figure: it is left out.
    text = report_text().splitlines()
    text[1] = "Юбілей - 1630 військових"

    p = preview_of(seeded, "\n".join(text))

    assert "personnel" not in p.totals
    assert {"missing", "parser"} <= {f.code for f in p.findings}
    assert "Personnel: in the previous report, missing here" in mod.render_preview(p, "en")
    uk = mod.render_preview(p, "uk")
    assert "Особовий склад: не прочитано, з тексту не видно, чи 1\u00a0630 — загальна кількість" in uk
    assert "«Юбілей - 1630 військових»" in uk or '"Юбілей - 1630 військових"' in uk


def test_parser_warnings_are_translated_with_category_names(seeded: Engine) -> None:
    p = preview_of(seeded, report_text() + "tanks - 9000\n")  # a second, different tanks line

    en = mod.render_preview(p, "en")
    uk = mod.render_preview(p, "uk")
    assert "parser: Tanks stated twice: kept " in en and 'ignored "tanks - 9000"' in en
    assert "розбір: Танки: наведено двічі, залишено" in uk


def test_swapped_numbers_are_an_error_naming_the_line(seeded: Engine) -> None:
    text = report_text() + "\n"
    tanks = seeded_totals(DAY - timedelta(days=1))["tanks"] + INCREASES["tanks"]
    text = text.replace(f"tanks - {tanks} (+7)", f"tanks - 7 (+{tanks})")

    p = preview_of(seeded, text)

    found = {f.code: f for f in p.findings if f.fields.get("cat") == "tanks"}
    assert {"increase_above_total", "total_down"} <= set(found)
    assert found["increase_above_total"].severity == "error"
    assert found["increase_above_total"].fields["line"] == f'"tanks - 7 (+{tanks})"'
    assert "are the two numbers swapped?" in mod.render_preview(p, "en")


# --- Property: swapped numbers never reach the store silently -----------------------------------------


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A store with no history: nothing to compare with but the text itself (only read by the test)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('preview') / 'empty.db'}")
    yield engine
    engine.dispose()


@settings(max_examples=100, deadline=None)
@given(case=relay_reports(swap=True))
def test_a_text_with_swapped_numbers_never_previews_without_an_error(
    empty_store: Engine, case: tuple[str, dict[str, int], dict[str, int], set[str]]
) -> None:
    text, _totals, _increases, swapped = case

    try:
        p = preview_of(empty_store, text, as_of=date(2025, 10, 2))
    except ImpossibleReport:
        return  # a figure no report can have (e.g. an increase of 100,001): refused outright, stronger still

    flagged = {f.fields["cat"] for f in p.findings if f.severity == "error" and "cat" in f.fields}
    assert swapped <= flagged
    assert p.has_errors == bool(swapped)


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed(engine)
    return engine


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_text_stating_a_figure_hundreds_of_times_previews_in_one_message(seeded: Engine, lang: str) -> None:
    # 600 more lines for tanks, each "stated twice", behind 50 KB of noise: one finding each, and the
    # preview lists what fits and says how many more.
    repeats = "\n".join(f"tanks - {9000 + i} (+{i % 50})" for i in range(600))
    text = report_text() + "\n" + "x" * 50_000 + "\n" + repeats

    rendered = mod.render_preview(preview_of(seeded, text), lang)

    assert len(rendered) <= 4096
    more = "… and " if lang == "en" else "… і ще "
    assert rendered.splitlines()[-1].startswith(more)
    assert int(rendered.splitlines()[-1].removeprefix(more).removesuffix(" more")) > 500
