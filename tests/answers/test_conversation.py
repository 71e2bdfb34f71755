"""Issue 9's reproductions for reading what people write, as a user reads the answers, in both languages,
on the full real history: dates as people write them, bad dates that say what is wrong, a "did you mean"
for a mistyped category, /records PERIOD, /compare, "this day last year", the milestone estimate, and
free-text questions."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from bot.answers import facts, questions
from bot.answers.questions import Unclear, Understood, understand
from bot.answers.render import MAX_MESSAGE, help_text
from bot.domain.periods import parse_period
from tests.support.replies import command_text, plain

TODAY = date(2026, 8, 23)
NEWEST = date(2026, 8, 22)
NBSP = "\u00a0"
NNBSP = "\u202f"


def ask(session: Session, line: str, lang: str = "en", today: date = TODAY) -> str:
    """What the user reads after sending LINE: a command, or a free-text question."""
    if line.startswith("/"):
        command, _space, args = line[1:].partition(" ")
        return command_text(session, command, args, today=today, lang=lang)
    reply = questions.answer(session, line, today=today, lang=lang)
    text = reply.text if reply is not None else ""
    assert len(text) <= MAX_MESSAGE
    return plain(text)


# ------------------------------------------------------------------- dates as people write them


@pytest.mark.parametrize(
    "spelling",
    [
        "Oct 25 2024",
        "25 October 2024",
        "October 25th, 2024",
        "25 жовтня 2024",
        "25 жовт. 2024 р.",
        "25.10.2024",
    ],
)
@pytest.mark.parametrize("lang", ["en", "uk"])
def test_day_of_25_october_2024_in_any_spelling(history: Session, spelling: str, lang: str) -> None:
    assert ask(history, f"/day {spelling}", lang) == ask(history, "/day 2024-10-25", lang)


def test_the_day_reads_in_each_language(history: Session) -> None:
    assert "Report of 25 Oct 2024 (day 975)" in ask(history, "/day Oct 25 2024")
    assert f"Звіт за 25 жовт. 2024{NNBSP}р." in ask(history, "/day 25 жовтня 2024", "uk")


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_month_by_its_name(history: Session, lang: str) -> None:
    expected = ask(history, "/range 2024-10", lang)
    for spelling in ("жовтень 2024", "October 2024", "у жовтні 2024", "за жовтень 2024", "oct 2024"):
        assert ask(history, f"/range {spelling}", lang) == expected
    assert "Losses, October 2024 (31 reports" in ask(history, "/range жовтень 2024")
    assert "Втрати, жовтень 2024 (31 звіт" in ask(history, "/range October 2024", "uk")


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_from_to_in_both_languages(history: Session, lang: str) -> None:
    expected = ask(history, "/range 2024-10-21..2024-10-25", lang)
    for spelling in ("з 21.10.2024 по 25.10.2024", "з 21 по 25 жовтня 2024", "from 21 to 25 October 2024"):
        assert ask(history, f"/range {spelling}", lang) == expected
    assert "Personnel: 7,390" in ask(history, "/range з 21.10.2024 по 25.10.2024")
    assert f"Особовий склад: 7{NBSP}390" in ask(history, "/range from 21 to 25 October 2024", "uk")


def test_a_date_without_a_year_is_the_latest_such_date(history: Session) -> None:
    # The newest report is of 22 Aug 2026: "since October 23" is since 23 Oct 2025.
    text = ask(history, "/range since October 23")
    assert text.startswith("Losses, since 23 Oct 2025 (304 reports, 23 Oct 2025 – 22 Aug 2026)")
    text = ask(history, "/range з 23 жовтня", "uk")
    assert text.startswith(f"Втрати, з 23 жовт. 2025{NNBSP}р. (304 звіти")
    assert "October 2025" in ask(history, "/range за жовтень")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "24 Aug 2026 is in the future: the latest report is of 22 Aug 2026."),
        ("uk", f"24 серп. 2026{NNBSP}р. ще не настав: останній звіт — за 22 серп. 2026{NNBSP}р."),
    ],
)
def test_tomorrow_has_no_report_yet(history: Session, lang: str, expected: str) -> None:
    assert ask(history, "/day tomorrow", lang) == expected
    assert ask(history, "/day завтра", lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "There are no figures for “tomorrow”: it is in the future."),
        ("uk", "Даних за «tomorrow» немає: це в майбутньому."),
    ],
)
def test_a_period_of_tomorrow_is_in_the_future(history: Session, lang: str, expected: str) -> None:
    assert ask(history, "/range tomorrow", lang).startswith(expected)


# --------------------------------------------------------------------------- bad dates say why


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "There are no figures for “2021-01-01”: it is before the full-scale invasion (24 Feb 2022)."),
        ("uk", "Даних за «2021-01-01» немає: це до повномасштабного вторгнення (24.02.2022)."),
    ],
)
def test_a_pre_war_date_is_read_and_refused_by_the_rule(history: Session, lang: str, expected: str) -> None:
    text = ask(history, "/totals 2021-01-01", lang)
    assert text.startswith(expected)
    assert "can't read" not in text and "Не можу розібрати" not in text


@pytest.mark.parametrize(
    ("line", "lang", "expected"),
    [
        ("/day 31 February 2024", "en", "“31 February 2024” is not a date: February 2024 has 29 days."),
        ("/day 31 лютого 2024", "uk", "«31 лютого 2024» — не дата: лютий 2024 має 29 днів."),
        ("/range 31.02.2023", "en", "“31.02.2023” is not a date: February 2023 has 28 days."),
        ("/range 31.04.2024", "uk", "«31.04.2024» — не дата: квітень 2024 має 30 днів."),
        ("/range 13.2024", "en", "“13.2024” is not a date: there is no month 13."),
        ("/range 2024-13-01", "uk", "«2024-13-01» — не дата: місяця 13 не існує."),
    ],
)
def test_an_impossible_date_says_what_is_wrong(history: Session, line: str, lang: str, expected: str) -> None:
    assert ask(history, line, lang).startswith(expected)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "“3.5” is not a count: N must be a whole number from 1 to 50."),
        ("uk", "«3.5» — не кількість: N має бути цілим числом від 1 до 50."),
    ],
)
def test_top_with_a_fraction_says_it_is_not_a_count(history: Session, lang: str, expected: str) -> None:
    text = ask(history, "/top personnel 3.5", lang)
    assert text.startswith(expected)
    assert "period" not in text and "період" not in text


# ------------------------------------------------------------------------------- did you mean


@pytest.mark.parametrize(
    ("line", "lang", "expected"),
    [
        ("/top tnaks", "en", "I don't know the category “tnaks”. Did you mean tanks?"),
        ("/top tnaks", "uk", "Не знаю категорії «tnaks». Можливо, ви мали на увазі «tanks»?"),
        ("/top танкі", "uk", "Не знаю категорії «танкі». Можливо, ви мали на увазі «танк»?"),
        ("/category artilery", "en", "I don't know the category “artilery”. Did you mean artillery?"),
        (
            "/category гелікоптеры",
            "uk",
            "Не знаю категорії «гелікоптеры». Можливо, ви мали на увазі «гелікоптер»?",
        ),
        ("/top submarins 5", "en", "I don't know the category “submarins”. Did you mean submarines?"),
    ],
)
def test_a_mistyped_category_gets_a_suggestion(history: Session, line: str, lang: str, expected: str) -> None:
    assert ask(history, line, lang).startswith(expected)


def test_nothing_close_gets_the_list_of_examples(history: Session) -> None:
    assert "Try one of: personnel, tanks" in ask(history, "/top xyzzy")


# --------------------------------------------------------------------------------- /records PERIOD


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_records_of_a_year_are_within_that_year(history: Session, lang: str) -> None:
    text = ask(history, "/records 2024", lang)
    assert text != ask(history, "/records", lang)
    dates = re.findall(r"20[0-9]{2}", text.split("\n", 1)[1].split("📎")[0])
    assert dates and set(dates) == {"2024"}


def test_records_of_2024(history: Session) -> None:
    text = ask(history, "/records 2024")
    assert text.startswith("Record day of each category, 2024 (highest reported increase)")
    assert "Personnel: +2,200 on 20 Dec 2024" in text
    uk = ask(history, "/records 2024", "uk")
    assert uk.startswith("Рекордний день кожної категорії, 2024")
    assert f"Особовий склад: +2{NBSP}200" in uk


def test_records_of_a_bad_period_say_why(history: Session) -> None:
    assert ask(history, "/records 2021").startswith("There are no figures for “2021”")


# ------------------------------------------------------------------------------------------ /compare


def test_compare_october_2024_with_october_2023(history: Session) -> None:
    text = ask(history, "/compare October 2024 vs October 2023")
    assert text.startswith("Losses: October 2024 vs October 2023\nOctober 2024: 31 reports")
    assert "Personnel: 41,890 vs 22,680 (+19,210, +84.7%)" in text
    assert "Tanks: 282 vs 520 (−238, −45.8%)" in text
    uk = ask(history, "/compare жовтень 2024 і жовтень 2023", "uk")
    assert uk.startswith("Порівняння втрат: жовтень 2024 і жовтень 2023")
    assert f"Особовий склад: 41{NBSP}890 проти 22{NBSP}680 (+19{NBSP}210, +84,7%)" in uk


def test_compare_this_week_with_last_week_ends_at_the_newest_report(history: Session) -> None:
    text = ask(history, "/compare this week last week")
    assert "last 7 days: 7 reports, 16 Aug 2026 – 22 Aug 2026" in text
    assert "previous 7 days: 7 reports, 9 Aug 2026 – 15 Aug 2026" in text
    assert "Personnel: 9,460 vs 9,200 (+260, +2.8%)" in text
    uk = ask(history, "/compare цього тижня минулого тижня", "uk")
    assert "попередні 7 днів: 7 звітів" in uk


def test_compare_periods_of_different_lengths_by_daily_averages(history: Session) -> None:
    text = ask(history, "/compare 2024 2023")
    assert "Personnel: 430,320 vs 253,270 (per day 1,175.7 vs 693.9, +69.4%)" in text
    assert "compares daily averages" in text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "I can't read two periods in “foo bar”."), ("uk", "Не можу розібрати два періоди в «foo bar».")],
)
def test_compare_without_two_periods(history: Session, lang: str, expected: str) -> None:
    assert ask(history, "/compare foo bar", lang).startswith(expected)


# ------------------------------------------------------------------- a year earlier, the estimate


def test_day_shows_this_day_last_year(history: Session) -> None:
    assert "📅 This day last year (25 Oct 2023): 👤 +800 · 🛡 +7 · 💥 +44 · 🛸 +9" in ask(
        history, "/day 2024-10-25"
    )
    uk = ask(history, "/day 2024-10-25", "uk")
    assert f"📅 Цього дня торік (25 жовт. 2023{NNBSP}р.): 👤 +800" in uk


def test_day_of_the_first_year_has_no_year_before(history: Session) -> None:
    assert "last year" not in ask(history, "/day 2022-10-25")


def test_category_estimates_the_next_milestone(history: Session) -> None:
    text = ask(history, "/category personnel")
    assert (
        "📈 Estimate, not a figure: at the 30-day pace (1,352.7/day), Personnel would reach 1,500,000 "
        "around 10 Sept 2026." in text
    )
    uk = ask(history, "/category personnel", "uk")
    assert f"📈 Оцінка, а не дані: приблизно 10 вер. 2026{NNBSP}р. показник «Особовий склад» сягне" in uk
    assert "р.." not in uk


def test_no_estimate_where_it_means_nothing(history: Session) -> None:
    assert "Estimate" not in ask(history, "/category submarines")  # no loss in the last 30 days
    assert "Estimate" not in ask(history, "/category srbm")  # retired
    # The estimated day has passed by now: the figures are late, and the estimate means nothing.
    assert "Estimate" not in ask(history, "/category personnel", today=date(2026, 12, 2))


# ------------------------------------------------------------------------------ free-text questions


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("how many tanks yesterday", "/category tanks yesterday"),
        ("How many tanks yesterday?", "/category tanks yesterday"),
        ("скільки танків за тиждень", "/category tanks за тиждень"),
        ("скільки дронів у жовтні 2024?", "/category uav у жовтні 2024"),
        ("top days for drones in 2025", "/top uav in 2025"),
        ("Top 5 days for tanks in October 2024", "/top tanks 5 in october 2024"),
        ("топ-3 дні для артилерії", "/top artillery 3"),
        ("топ днів для дронів у 2025", "/top uav у 2025"),
        ("total personnel", "/category personnel"),
        ("May I ask how many tanks?", "/category tanks"),
        ("how many tanks in May", "/category tanks in may"),
        ("скільки всього", "/totals"),
        ("losses last week", "/range last week"),
        ("втрати за тиждень", "/range за тиждень"),
        ("what happened on 25 October 2024", "/day on 25 october 2024"),
        ("totals yesterday", "/totals yesterday"),
        ("records 2024", "/records 2024"),
        ("рекорди", "/records"),
        ("compare this week and last week", "/compare this week and last week"),
        ("порівняй жовтень 2024 і жовтень 2023", "/compare жовтень 2024 і жовтень 2023"),
    ],
)
def test_questions_are_read_as_commands(text: str, command: str) -> None:
    asked = understand(text, today=TODAY, newest=NEWEST)
    assert isinstance(asked, Understood)
    assert asked.text() == command


@pytest.mark.parametrize(
    ("text", "offer"),
    [("top days", "/top personnel 10"), ("how many tnaks", "/category tanks"), ("how many", "/totals")],
)
def test_an_unclear_question_offers_a_command(text: str, offer: str) -> None:
    assert understand(text, today=TODAY, newest=NEWEST) == Unclear(offer)


@pytest.mark.parametrize("text", ["hello", "thanks!", "привіт", "x" * 500, "/totals"])
def test_chatter_is_no_question(text: str) -> None:
    assert understand(text, today=TODAY, newest=NEWEST) is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "how many tanks yesterday",
            "en",
            "🛡 Tanks on 22 Aug 2026: +6, 12,292 in all · source: orc-losses dataset (lod-db)\n\n"
            "💬 Asked as: /category tanks yesterday",
        ),
        (
            "скільки танків вчора",
            "uk",
            f"🛡 Танки станом на 22 серп. 2026{NNBSP}р.: +6, усього 12{NBSP}292 · джерело: набір даних "
            "orc-losses (lod-db)\n\n💬 Як команда: /category tanks вчора",
        ),
        (
            "how many drones on 25 October 2024",
            "en",
            "🛸 Operational-tactical UAVs on 25 Oct 2024: +73, 17,670 in all · source: PetroIvaniuk dataset"
            "\n\n💬 Asked as: /category uav on 25 october 2024",
        ),
        (
            "скільки дронів 25 жовтня 2024",
            "uk",
            f"🛸 БпЛА оперативно-тактичного рівня станом на 25 жовт. 2024{NNBSP}р.: +73, усього "
            f"17{NBSP}670 · джерело: набір даних PetroIvaniuk\n\n💬 Як команда: /category uav 25 жовтня 2024",
        ),
    ],
)
def test_one_category_on_one_day_is_answered_in_one_line(
    history: Session, text: str, lang: str, expected: str
) -> None:
    assert ask(history, text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "how many tanks yesterday",
            "en",
            "⚠️ The newest report is 102 days old: the sources may be late.\n\n"
            "No report is dated 1 Dec 2026; the latest before it is of 22 Aug 2026.\n"
            "🛡 Tanks on 22 Aug 2026: +6, 12,292 in all · source: orc-losses dataset (lod-db)",
        ),
        (
            "скільки танків вчора",
            "uk",
            "⚠️ Найновішому звіту 102 дні: джерела, можливо, запізнюються.\n\n"
            f"Звіту за 1 груд. 2026{NNBSP}р. немає; нижче — найновіший перед цією датою, за 22 серп. "
            f"2026{NNBSP}р.:\n🛡 Танки станом на 22 серп. 2026{NNBSP}р.: +6, усього 12{NBSP}292",
        ),
    ],
)
def test_yesterday_without_a_report_gives_the_newest_figure_with_its_date(
    history: Session, text: str, lang: str, expected: str
) -> None:
    assert ask(history, text, lang, today=date(2026, 12, 2)).startswith(expected)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("how many tanks in October 2024", "en"),
        ("tell me more about tanks yesterday", "en"),
        ("скільки танків за тиждень", "uk"),
        ("детально про танки вчора", "uk"),
    ],
)
def test_questions_asking_for_more_get_the_full_answer(history: Session, text: str, lang: str) -> None:
    first = ask(history, text, lang).splitlines()[0]
    assert first == ("🛡 Tanks" if lang == "en" else "🛡 Танки")


def test_skilky_tankiv_za_tyzhden(history: Session) -> None:
    text = ask(history, "скільки танків за тиждень", "uk")
    assert text.startswith(f"🛡 Танки\n\nЗагалом станом на 22 серп. 2026{NNBSP}р.: 12{NBSP}292")
    assert "останні 7 днів: 23 (≈3,3/добу, 7 звітів)" in text
    assert text.endswith("💬 Як команда: /category tanks за тиждень")


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_top_days_for_drones_in_2025(history: Session, lang: str) -> None:
    text = ask(history, "top days for drones in 2025", lang)
    assert text.split("\n💬")[0].strip() == ask(history, "/top drones 2025", lang)
    assert ("1. 24 Dec 2025 — +1,031" if lang == "en" else f"1. 24 груд. 2025{NNBSP}р. — +1{NBSP}031") in text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "I'm not sure what you are asking. This command may answer it: /top personnel 10"),
        ("uk", "Не зовсім зрозуміло, про що ви питаєте. Відповісти може ця команда: /top personnel 10"),
    ],
)
def test_an_unclear_question_is_answered_with_a_command(history: Session, lang: str, expected: str) -> None:
    assert ask(history, "top days", lang).startswith(expected)


def test_a_question_with_a_bad_period_says_why(history: Session) -> None:
    text = ask(history, "how many tanks on 31 February 2024")
    assert text.startswith("“on 31 february 2024” is not a date: February 2024 has 29 days.")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_understood_or_not_without_an_error(text: str) -> None:
    asked = understand(text, today=TODAY, newest=NEWEST)
    assert asked is None or isinstance(asked, Understood | Unclear)


@pytest.mark.parametrize(
    ("total", "step"), [(1_475_270, 100_000), (12_292, 1_000), (110_000, 10_000), (35, 2), (0, 1)]
)
def test_the_estimated_milestone_is_a_round_number_scaled_to_the_total(total: int, step: int) -> None:
    assert facts.estimate_step(total) == step


def test_tanks_estimate_names_the_next_thousand(history: Session) -> None:
    assert "Tanks would reach 13,000 around" in ask(history, "/category tanks")


@pytest.mark.parametrize(
    ("line", "lang", "expected"),
    [
        (
            "/day October 2024",
            "en",
            "“October 2024” is a period, not one day. For a period, try: /range October 2024",
        ),
        (
            "/totals минулого тижня",
            "uk",
            "«минулого тижня» — це період, а не один день. Для періоду спробуйте: /range",
        ),
    ],
)
def test_a_period_where_a_day_belongs_points_to_range(
    history: Session, line: str, lang: str, expected: str
) -> None:
    assert ask(history, line, lang).startswith(expected)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("how many tanks yesterday", "uk", f"🛡 Танки станом на 22 серп. 2026{NNBSP}р.: +6"),
        ("скільки танків вчора", "uk", f"🛡 Танки станом на 22 серп. 2026{NNBSP}р.: +6"),
        ("скільки танків вчора", "en", "🛡 Tanks on 22 Aug 2026: +6, 12,292 in all"),
        ("how many tanks tomorrow", "en", "There are no figures for “tomorrow”: it is in the future."),
        ("скільки танків завтра", "uk", "Даних за «завтра» немає: це в майбутньому."),
    ],
)
def test_questions_in_either_language_are_answered_in_the_chats(
    history: Session, text: str, lang: str, expected: str
) -> None:
    assert expected in ask(history, text, lang)


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_every_period_help_gives_is_read(lang: str) -> None:
    text = plain(help_text(lang, []).text)
    line = next(line for line in text.splitlines() if line.startswith(("PERIOD:", "ПЕРІОД:")))
    examples = line.split(":", 1)[1].rstrip(".").split(", ")
    assert len(examples) >= 15
    for example in examples:
        assert parse_period(example.strip(), today=TODAY, newest=NEWEST), example
