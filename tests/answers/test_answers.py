"""The answer functions of the query commands end to end (arguments → facts → rendered text), read as a
user reads them: on the full real history, and on small fixtures written here (a gap in the reports, an
empty store). The renderers alone are tested in test_render.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.answers import commands as answers
from bot.answers import menus, questions
from bot.answers.commands import UsageError
from bot.domain.report import ReportFigures
from storage import queries
from storage.db import reading, transaction
from storage.writes import store_reports
from tests.support.replies import QUERIES, Answer, command_text, plain

TODAY = date(2026, 8, 23)
NBSP = "\u00a0"


def ask(session: Session, command: str, args: str = "", lang: str = "en", today: date = TODAY) -> str:
    """The text the user reads: the answer, or the explanation of a usage error."""
    return command_text(session, command, args, today=today, lang=lang)


# ------------------------------------------------------------------------------ the figures of the issue


def test_day_2024_10_25_names_the_increase_total_and_rank_at_the_time(history: Session) -> None:
    text = ask(history, "day", "2024-10-25")
    assert "Report of 25 Oct 2024 (day 975)" in text
    assert "Personnel: +1,630 → 685,910" in text
    assert "Personnel +1,630: the 4th-highest day at the time" in text
    assert "3rd counting from 1 Apr 2022" in text
    assert "report of 25 Oct 2024" in text and "PetroIvaniuk" in text


def test_day_accepts_the_dotted_date(history: Session) -> None:
    assert ask(history, "day", "25.10.2024") == ask(history, "day", "2024-10-25")


def test_range_of_2024_10_21_to_25_sums_the_five_reports(history: Session) -> None:
    text = ask(history, "range", "2024-10-21..2024-10-25")
    assert "5 reports, 21 Oct 2024 – 25 Oct 2024" in text
    assert "Personnel: 7,390" in text
    assert "Artillery systems: 188" in text
    assert "Operational-tactical UAVs: 383" in text
    assert "Armoured combat vehicles: 176" in text
    assert "Recount(s) on 22 Oct 2024" in text


def test_totals_of_2025_08_22(history: Session) -> None:
    text = ask(history, "totals", "2025-08-22")
    assert "Russia's losses as of 22 Aug 2025" in text
    for line in (
        "Personnel: 1,074,320",
        "Tanks: 11,124",
        "Armoured combat vehicles: 23,160",
        "Artillery systems: 31,835",
        "Operational-tactical UAVs: 52,787",
    ):
        assert line in text


def test_totals_without_a_date_are_those_of_the_latest_report(history: Session) -> None:
    text = ask(history, "totals")
    assert "Russia's losses as of 22 Aug 2026" in text


def test_top_personnel_3_from_april_2022(history: Session) -> None:
    text = ask(history, "top", "personnel 3 2022-04-01..2024-10-25")
    assert "Top 3 days: Personnel, 1 Apr 2022\u2009–\u200925 Oct 2024" in text  # Babel's thin spaces
    assert "1. 13 May 2024 — +1,740" in text
    assert "2. 21 Oct 2024 — +1,710" in text
    assert "3. 25 Oct 2024 — +1,630" in text
    assert "4." not in text


def test_category_and_records_name_their_figures(history: Session) -> None:
    tanks = ask(history, "category", "tanks 2024")
    assert "Tanks" in tanks and "Total as of 22 Aug 2026" in tanks and "Record day:" in tanks
    records = ask(history, "records")
    assert "Personnel: +3,160 on 3 Mar 2022" in records
    assert "since Apr 2022: +2,200 on 20 Dec 2024" in records


def test_ukrainian_uses_babel_no_break_space_thousands(history: Session) -> None:
    text = ask(history, "day", "2024-10-25", lang="uk")
    assert "Звіт за 25" in text
    assert f"+1{NBSP}630 → 685{NBSP}910" in text
    assert "1,630" not in text


# --------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("command", "args", "words"),
    [
        ("top", "personnel abc", "I can't read the period “abc”"),
        ("top", "5 personnel", "I don't know the category “5”"),
        ("top", "personnel 0", "N must be a whole number from 1 to 50"),
        ("top", "personnel 999999999", "N must be a whole number from 1 to 50"),
        ("top", "", "Usage: /top [CATEGORY [N] [PERIOD]]"),
        ("day", "tanks", "I can't read the date “tanks”"),
        ("day", "", "Usage: /day [DATE]"),
        ("day", "2021-01-01", "before the full-scale invasion"),
        ("day", "2030-01-01", "1 Jan 2030 is in the future: the latest report is of 22 Aug 2026"),
        ("range", "2024-13-45", "“2024-13-45” is not a date: there is no month 13."),
        ("range", "0000-01-01", "I can't read the period “0000-01-01”: no such date"),
        ("range", "2024-10-25..2024-10-21", "it ends before it starts"),
        ("range", "", "Usage: /range [PERIOD]"),
        ("totals", "abc", "I can't read the date “abc”"),
        ("category", "foo", "I don't know the category “foo”"),
        ("category", "", "Usage: /category [CATEGORY [PERIOD]]"),
        ("category", "tanks someday", "I can't read the period “someday”"),
    ],
)
def test_bad_arguments_are_explained(history: Session, command: str, args: str, words: str) -> None:
    text = ask(history, command, args)
    assert words in text


@pytest.mark.parametrize("command", ["totals", "day", "range", "top", "category"])
def test_overlong_arguments_get_the_usage(history: Session, command: str) -> None:
    text = ask(history, command, "x" * 10_000)
    assert "too long" in text and "Usage:" in text
    assert len(text) < 500


def test_user_text_is_escaped_and_cut_short_when_quoted_back(history: Session) -> None:
    with pytest.raises(UsageError) as caught:
        answers.day(history, "<b>" + "9" * 100, today=TODAY, lang="en")
    assert "&lt;b&gt;" in str(caught.value) and "<b>9" not in str(caught.value)
    assert "9" * 41 not in str(caught.value)


def test_usage_in_ukrainian(history: Session) -> None:
    text = ask(history, "day", "танки", lang="uk")
    assert "Використання: /day [ДАТА]" in text and "Не можу розібрати дату «танки»" in text


def test_a_category_reported_late_is_averaged_over_its_own_days(history: Session) -> None:
    # Ground robotic systems were first reported on 3 May 2026 with 1,306 lost before: over the whole war
    # the total is all of them, the daily average only what was lost after that first report.
    whole = ask(history, "range", "all")
    [line] = [line for line in whole.splitlines() if "Ground robotic systems" in line]
    robots = queries.period_sums(history, date(2022, 2, 24), TODAY).sums["ground_robotic_systems"]
    assert robots.first_reported == (date(2026, 5, 3), 1_306)
    average = (robots.amount - 1_306) / (robots.days - 1)
    expected = f"{robots.amount:,} (1,306 at its first report on 3 May 2026, then ≈{average:.1f}/day)"
    assert line == f"🤖 Ground robotic systems: {expected}"
    assert robots.daily_average() < robots.amount / robots.days  # the 1,306 are not one day's losses


def test_a_category_not_in_the_latest_report_cites_its_own_last_report(history: Session) -> None:
    text = ask(history, "category", "ground_robots")
    assert "is not in the latest report (reported 3 May 2026 – 8 Aug 2026)" in text
    assert text.splitlines()[-1].startswith("📎 Ukraine's General Staff figures · report of 8 Aug 2026 ·")


# ------------------------------------------------------------------------------------- small fixtures


def report(day: str, personnel: int, increase: int, tanks: int = 9_000) -> ReportFigures:
    return ReportFigures(
        date.fromisoformat(day),
        "petroivaniuk",
        {"personnel": personnel, "tanks": tanks},
        {"personnel": increase, "tanks": 1},
    )


@pytest.fixture
def gap(engine: Engine) -> Iterator[Session]:
    """Reports of 20–22 and 25 Oct 2024; none for the 23rd and 24th."""
    with transaction(engine) as s:
        store_reports(
            s,
            [
                report("2024-10-20", 681_000, 1_000),
                report("2024-10-21", 682_710, 1_710),
                report("2024-10-22", 683_900, 1_190),
                report("2024-10-25", 685_910, 1_630, tanks=9_003),
            ],
        )
    with reading(engine) as session:
        yield session


def test_a_day_without_a_report_names_the_nearest_reports(gap: Session) -> None:
    text = ask(gap, "day", "2024-10-23")
    assert "No report is stored for 23 Oct 2024." in text
    assert "Nearest reports: 22 Oct 2024, 25 Oct 2024." in text


def test_a_day_without_a_report_in_ukrainian(gap: Session) -> None:
    text = ask(gap, "day", "2024-10-24", lang="uk")
    assert "Звіту за 24" in text and "Найближчі звіти:" in text


def test_a_day_after_the_latest_report_names_the_latest(gap: Session) -> None:
    text = ask(gap, "day", "2024-11-01")
    assert "No report for 1 Nov 2024 yet. Nearest reports: 25 Oct 2024." in text


def test_totals_on_a_missing_day_are_those_of_the_report_before(gap: Session) -> None:
    text = ask(gap, "totals", "2024-10-24")
    assert "as of 22 Oct 2024" in text and "No report is dated 24 Oct 2024" in text
    assert "Personnel: 683,900" in text


def test_a_range_over_the_gap_says_which_days_are_missing(gap: Session) -> None:
    text = ask(gap, "range", "2024-10-21..2024-10-25")
    assert "Personnel: 4,910" in text  # 685,910 − 681,000: the totals at the ends, the 20th before it
    assert "No report for 2 days: 23–24 Oct 2024" in text  # a real plural, not "day(s)"


def test_a_range_with_no_reports_says_so(gap: Session) -> None:
    assert "No reports for this period (23–24 Oct 2024)." in ask(gap, "range", "2024-10-23..2024-10-24")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "No reports for this period (since 26 Oct 2024)."),
        ("uk", "За цей період (з 26 жовт. 2024\u202fр.) звітів немає."),
    ],
)
def test_no_reports_since_a_day_reads_as_a_sentence(gap: Session, lang: str, expected: str) -> None:
    """Any period's label fits the sentence: it read "No reports in since 26 Oct 2024"."""
    assert ask(gap, "range", "since 2024-10-26", lang=lang) == expected


def test_an_empty_store_tells_how_to_load_the_history(engine: Engine) -> None:
    with reading(engine) as session:
        for command, args in [("totals", ""), ("day", "2024-10-25"), ("top", "tanks"), ("records", "")]:
            text = ask(session, command, args)
            assert "No reports are stored yet" in text and "lossbot import" in text


@pytest.mark.parametrize(
    ("n", "lang", "title"),
    [
        (1, "en", "Top 1 day: Personnel"),
        (2, "en", "Top 2 days: Personnel"),
        (1, "uk", "Топ-1 день: Особовий склад"),
        (3, "uk", "Топ-3 дні: Особовий склад"),
    ],
)
def test_top_titles_use_each_languages_plural_form(gap: Session, n: int, lang: str, title: str) -> None:
    assert title in plain(ask(gap, "top", f"personnel {n}", lang=lang))


def test_totals_keep_a_category_the_latest_source_lacks_with_its_own_date(history: Session) -> None:
    # The newest reports come from orc-losses, which has no ground robotic systems: the category stays,
    # with the latest figure known and the date of that figure, not silently dropped.
    text = plain(ask(history, "totals", today=date(2026, 8, 22)))
    assert "Ground robotic systems: " in text and "(as of 8 Aug 2026: not in this report)" in text
    assert "Russia's losses as of 22 Aug 2026" in text


@pytest.mark.parametrize(
    ("today", "late"),
    [
        (date(2026, 8, 22), None),
        (date(2026, 8, 23), None),  # today's report comes in the morning: yesterday's is not late
        (date(2026, 8, 24), "⚠️ The newest report is 2 days old: the sources may be late."),
        (date(2026, 9, 21), "⚠️ The newest report is 30 days old: the sources may be late."),
    ],
)
def test_totals_say_when_the_newest_report_is_older_than_expected(
    history: Session, today: date, late: str | None
) -> None:
    for args in ("", "2026-08-20"):
        text = plain(ask(history, "totals", args, today=today))
        assert text.startswith(late) if late else ("days old" not in text and "day old" not in text)


LATE_NOTICE = {
    "en": "⚠️ The newest report is 30 days old: the sources may be late.",
    "uk": "⚠️ Найновішому звіту 30 днів: джерела, можливо, запізнюються.",
}


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("totals", "2024-10-25"),
        ("day", "2024-10-25"),
        ("range", "all"),
        ("range", "week"),
        ("top", "tanks"),
        ("category", "tanks 2024"),
        ("records", ""),
        ("records", "2024"),
        ("compare", "October 2024 vs October 2023"),
    ],
)
def test_every_figure_answer_says_when_the_data_is_late(
    history: Session, command: str, args: str, lang: str
) -> None:
    answer: Answer = answers.compare if command == "compare" else QUERIES[command]
    late = plain(answer(history, args, today=date(2026, 9, 21), lang=lang).text)
    assert late.splitlines()[0] == LATE_NOTICE[lang]
    on_time = plain(answer(history, args, today=TODAY, lang=lang).text)
    assert late == f"{LATE_NOTICE[lang]}\n\n{on_time}"


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_bare_day_and_questions_say_when_the_data_is_late(history: Session, lang: str) -> None:
    today = date(2026, 9, 21)
    bare_day = menus.latest_day(history, today, lang, asker=1).text
    question = questions.answer(history, "how many tanks in 2024", today=today, lang=lang)
    assert question is not None
    for text in (bare_day, question.text):
        assert plain(text).splitlines()[0] == LATE_NOTICE[lang]


@pytest.mark.parametrize(("args", "lang"), [("week", "en"), ("7d", "en"), ("тиждень", "uk"), ("month", "en")])
def test_a_relative_period_ends_at_the_newest_report_when_the_data_is_older(
    history: Session, args: str, lang: str
) -> None:
    # Asked on 1 Dec 2026 with figures up to 22 Aug 2026: the week of figures, not an empty week.
    text = plain(ask(history, "range", args, lang=lang, today=date(2026, 12, 1)))
    assert ("22 Aug 2026" in text) if lang == "en" else ("22 серп. 2026" in text)
    assert "No reports" not in text and "звітів немає" not in text


def test_a_date_before_the_invasion_is_read_and_said_to_have_no_figures(history: Session) -> None:
    text = plain(ask(history, "totals", "2022-02-20"))
    assert "There are no figures for “2022-02-20”: it is before the full-scale invasion" in text
    assert "Write it as" not in text  # it was written well: no advice on how to write a date
    uk = plain(ask(history, "totals", "20.02.2022", lang="uk"))
    assert "до повномасштабного вторгнення" in uk and "Пишіть як" not in uk


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("totals", "2030-01-01"),
        ("day", "24.02.2022"),
        ("day", "2023-07-25"),
        ("range", "2024-10-21..2024-10-25"),
    ],
)
def test_ukrainian_answers_never_print_a_double_full_stop(history: Session, command: str, args: str) -> None:
    # A Ukrainian date ends in "р." already: a sentence ending with one must not add another full stop.
    assert "р.." not in plain(ask(history, command, args, lang="uk"))


def test_top_lists_only_days_with_a_loss(history: Session) -> None:
    text = plain(ask(history, "top", "submarines 10"))
    assert "Top 1 day: Submarines" in text and " — 0" not in text and "2." not in text


@pytest.mark.parametrize(
    ("command", "bad", "example"),
    [
        ("totals", "abc", "/totals 22.08.2025"),
        ("day", "танки", "/day 25.10.2024"),
        ("range", "2024-13-45", "/range 21.10.2024..25.10.2024"),
        ("top", "літачки 3", "/top особовий 3 01.04.2022..25.10.2024"),
        ("category", "foo", "/category танки 2024"),
    ],
)
def test_a_ukrainian_usage_example_is_ukrainian_and_answers(
    history: Session, command: str, bad: str, example: str
) -> None:
    """The example under a Ukrainian usage line read "/top personnel 3 2022-04-01..2024-10-25"."""
    assert f"Приклад: {example}" in ask(history, command, bad, lang="uk")
    answer = ask(history, command, example.split(maxsplit=1)[1], lang="uk")
    assert "Використання" not in answer and "📎" in answer


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_first_word_of_a_two_word_name_is_enough(history: Session, lang: str) -> None:
    """People type "/top крилаті 3" as they type "/top ббм 3"; it was "I don't know the category"."""
    text = ask(history, "top", "крилаті 3", lang=lang)
    assert ("Cruise missiles" if lang == "en" else "Крилаті ракети") in text and "📎" in text
