"""The renderers as pure functions: small views written here, no store, rendered as a user reads them
(the markup is checked as Telegram would parse it)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answers import render
from bot.answers.facts import (
    CategoryView,
    Citation,
    Citations,
    Gap,
    InLatest,
    InPeriod,
    NoFigures,
    NoReportOn,
    NoReports,
    NoReportsIn,
    NotInLatest,
    NotYet,
    PeriodView,
    RankFact,
    RecordDay,
    RecordsView,
    Recount,
    ReportFacts,
    ReportView,
    TopView,
    TotalsView,
)
from bot.answers.reply import Reply, Upload
from bot.domain.categories import resolve_category
from bot.domain.periods import parse_period
from bot.i18n import fmt
from bot.i18n.texts import COMMANDS
from storage.queries import CategorySum, DayFigure, RankedDay, Standing
from tests.support.fakebotapi import visible_text

DAY = date(2024, 10, 25)
TODAY = date(2026, 8, 23)
NBSP = "\u00a0"
CITED = Citation(DAY, "petroivaniuk", "https://example.org/report")
SOURCE = "📎 Ukraine's General Staff figures · report of 25 Oct 2024 · source: PetroIvaniuk dataset"
REPORT = ReportView(
    CITED, (DayFigure("personnel", 685_910, 1_630, 1_630), DayFigure("tanks", 9_097, None, 7))
)
OCTOBER = Citations(date(2024, 10, 21), DAY, ("petroivaniuk", "orc-losses"))
SOURCES = (
    "📎 Ukraine's General Staff figures · reports 21 Oct 2024 – 25 Oct 2024 · sources: "
    "PetroIvaniuk dataset, orc-losses dataset (lod-db)"
)


def lines(reply: Reply) -> list[str]:
    return visible_text(reply.text, "HTML").splitlines()


def facts(*ranks: RankFact, recounts: tuple[Recount, ...] = ()) -> ReportFacts:
    return ReportFacts(REPORT, ranks, recounts, ())


# ------------------------------------------------------------------------------------- /totals and /day


def test_totals_list_each_figure_and_name_the_report() -> None:
    assert lines(render.totals(TotalsView(REPORT, None), "en")) == [
        "Russia's losses as of 25 Oct 2024 (day 975 of the full-scale invasion)",
        "",
        "👤 Personnel: 685,910 (+1,630)",
        "🛡 Tanks: 9,097",  # no reported increase: none shown
        "",
        SOURCE,
    ]
    assert '<a href="https://example.org/report">' in render.totals(TotalsView(REPORT, None), "en").text


def test_totals_of_a_day_without_a_report_say_whose_they_are() -> None:
    text = lines(render.totals(TotalsView(REPORT, date(2024, 10, 26)), "en"))
    assert text[1] == "No report is dated 26 Oct 2024; these are the totals of the latest report before it."


def test_day_shows_increases_ranks_and_recounts() -> None:
    view = facts(
        RankFact("personnel", 1_630, 4, 975, 3),
        RankFact("tanks", 25, 1, 975, None),
        recounts=(Recount("tanks", -2, 3),),
    )
    assert lines(render.day(view, "en")) == [
        "Report of 25 Oct 2024 (day 975): losses over the past day, and totals",
        "",
        "👤 Personnel: +1,630 → 685,910",
        "🛡 Tanks: — → 9,097",
        "",
        "🏅 Personnel +1,630: the 4th-highest day at the time (of 975 days); 3rd counting from 1 Apr 2022",
        "🏆 Tanks +25: a record at the time.",
        "↺ Recount in Tanks: the total changed by −2 while +3 was reported.",
        "",
        SOURCE,
    ]


def test_day_calls_out_personnel_always_and_others_only_when_notable() -> None:
    view = facts(RankFact("personnel", 900, 400, 975, None), RankFact("tanks", 9, 11, 975, None))
    text = "\n".join(lines(render.day(view, "en")))
    assert "Personnel +900: the 400th-highest day" in text
    assert "Tanks +9" not in text


def test_the_only_day_so_far_is_no_record() -> None:
    [line] = render.rank_lines([RankFact("personnel", 100, 1, 1, None)], "en")
    assert line == "🏅 Personnel +100: the 1st-highest day at the time (of 1 day)"


def test_day_in_ukrainian() -> None:
    text = "\n".join(lines(render.day(facts(RankFact("personnel", 1_630, 4, 975, None)), "uk")))
    assert f"+1{NBSP}630 → 685{NBSP}910" in text
    assert "4-те місце серед днів на той час" in text


# --------------------------------------------------------------------------------------------------- gaps


@pytest.mark.parametrize(
    ("gap", "text"),
    [
        (
            NoReports(),
            "No reports are stored yet. An operator can load the history with: lossbot import PATH",
        ),
        (NotYet(date(2024, 11, 1), DAY), "No report for 1 Nov 2024 yet. Nearest reports: 25 Oct 2024."),
        (
            NoReportOn(date(2024, 10, 23), date(2024, 10, 22), DAY),
            "No report is stored for 23 Oct 2024. Nearest reports: 22 Oct 2024, 25 Oct 2024.",
        ),
        (
            NoReportOn(date(2022, 2, 24), None, date(2022, 2, 25)),
            "No report is stored for 24 Feb 2022. Nearest reports: 25 Feb 2022.",
        ),
        (
            NoReportsIn(parse_period("2024-10-23..2024-10-24", today=TODAY)),
            "No reports for this period (23–24 Oct 2024).",
        ),
        (NoFigures("ships", None), "No daily figures for Warships / boats in this period (all time)."),
    ],
)
def test_gaps_say_what_is_missing(gap: Gap, text: str) -> None:
    assert visible_text(render.gap(gap, "en"), "HTML") == text


# ------------------------------------------------------------------------------------------------- /range


def test_a_period_sums_each_category_and_notes_gaps_and_recounts() -> None:
    view = PeriodView(
        parse_period("2024-10-21..2024-10-25", today=TODAY),
        3,
        (
            CategorySum("personnel", 4_910, 4_530, 3),
            CategorySum("tanks", 9, 9, 3, started=date(2024, 10, 22)),
        ),
        (date(2024, 10, 23), date(2024, 10, 24)),
        (date(2024, 10, 22),),
        ("personnel",),
        OCTOBER,
    )
    assert lines(render.period(view, "en")) == [
        "Losses, 21–25 Oct 2024 (3 reports, 21 Oct 2024 – 25 Oct 2024)",
        "",
        "👤 Personnel: 4,910 (≈1,636.7/day)",
        # 9 lost after its first report, over the 2 reports that follow it
        "🛡 Tanks: 9 (≈4.5/day) — counted from 22 Oct 2024, when first reported",
        "",
        "⚠️ No report for 2 days: 23–24 Oct 2024. Sums follow the totals at the ends.",
        "↺ Recount(s) on 22 Oct 2024: sums follow the totals at the ends; the reported increases add up "
        "differently for Personnel.",
        "",
        SOURCES,
    ]


# --------------------------------------------------------------------------------------------------- /top


def test_top_ranks_ties_as_equals_and_says_so() -> None:
    days = (RankedDay(1, date(2024, 10, 21), 1_710, 0), RankedDay(1, DAY, 1_710, 0))
    text = lines(render.top(TopView("personnel", None, days, OCTOBER), "en"))
    assert text[:4] == [
        "Top 2 days: Personnel, all time",
        "",
        "1. 21 Oct 2024 — +1,710",
        "1. 25 Oct 2024 — +1,710",
    ]
    assert "Equal increases share a rank." in text
    assert text[-1] == SOURCES


def test_top_of_one_day_in_ukrainian() -> None:
    view = TopView("personnel", None, (RankedDay(1, DAY, 1_630, 0),), OCTOBER)
    assert lines(render.top(view, "uk"))[0] == "Топ-1 день: Особовий склад, увесь час"


# ---------------------------------------------------------------------------------------------- /category


def test_category_now_record_and_period() -> None:
    october = parse_period("2024-10", today=TODAY)
    view = CategoryView(
        "tanks",
        CITED,
        InLatest(9_097, 7, 8.25, None, Standing(120, 0, 975)),
        RankedDay(1, date(2022, 2, 26), 146, 0),
        InPeriod(october, CategorySum("tanks", 100, 100, 25), RankedDay(1, DAY, 12, 0)),
    )
    assert lines(render.category(view, "en")) == [
        "🛡 Tanks",
        "",
        "Total as of 25 Oct 2024: 9,097 (+7 that day)",
        # no 30-day average: the daily averages are left out together
        "Latest day's rank: 120th of 975 days",
        "Record day: 26 Feb 2022, +146",
        "",
        "October 2024: 100 (≈4.0/day over 25 reports); highest day 25 Oct 2024, +12",
        "",
        SOURCE,
    ]


def test_a_shared_rank_says_so_in_both_languages() -> None:
    view = CategoryView("ships", CITED, InLatest(28, 1, 0.1, 0.1, Standing(4, 41, 975)), None, None)
    assert "Latest day's rank: 4th of 975 days, tied with 41 other days" in lines(render.category(view, "en"))
    assert "нарівні з 41 іншим днем" in render.category(view, "uk").text
    [one, many] = render.rank_lines(
        [RankFact("tanks", 25, 1, 975, None, ties=1), RankFact("uav", 73, 5, 975, None, ties=2)], "en"
    )
    assert one == "🏆 Tanks +25: equals the record at the time, tied with 1 other day."
    assert many == (
        "🏅 Operational-tactical UAVs +73: the 5th-highest day at the time (of 975 days), "
        "tied with 2 other days"
    )
    uk = render.rank_lines([RankFact("uav", 73, 5, 975, None, ties=5)], "uk")
    assert uk[0].endswith("нарівні з 5 іншими днями")


def test_category_not_in_the_latest_report_nor_in_the_period() -> None:
    view = CategoryView(
        "vehicles",
        CITED,
        NotInLatest(date(2022, 2, 24), date(2022, 4, 30)),
        None,
        NoFigures("vehicles", parse_period("2024", today=TODAY)),
    )
    text = lines(render.category(view, "en"))
    assert text[2] == "Vehicles (retired) is not in the latest report (reported 24 Feb 2022 – 30 Apr 2022)."
    assert text[4] == "No daily figures for Vehicles (retired) in this period (2024)."


# ----------------------------------------------------------------------------------------------- /records


def test_records_name_the_regular_record_after_an_early_one() -> None:
    view = RecordsView(
        (
            RecordDay("personnel", RankedDay(1, date(2022, 3, 3), 3_160, 0), RankedDay(1, DAY, 2_200, 0)),
            RecordDay("tanks", RankedDay(1, DAY, 25, 0), None),
        ),
        OCTOBER,
    )
    assert lines(render.records(view, "en"))[2:6] == [
        "👤 Personnel: +3,160 on 3 Mar 2022",
        "   since Apr 2022: +2,200 on 25 Oct 2024",
        "🛡 Tanks: +25 on 25 Oct 2024",
        "",
    ]
    assert "Days of February–March 2022 carry artifacts of irregular early reporting." in lines(
        render.records(view, "en")
    )
    later = RecordsView((RecordDay("tanks", RankedDay(1, DAY, 25, 0), None),), OCTOBER)
    assert not any("artifacts" in line for line in lines(render.records(later, "en")))


# ------------------------------------------------------------------------------------ /categories, /help


def test_categories_and_help_list_everything_in_one_message() -> None:
    for lang in ("en", "uk"):
        assert len(render.categories_list(lang).text) <= render.MAX_MESSAGE
        text = visible_text(render.help_text(lang, COMMANDS).text, "HTML")
        assert ("/top [CATEGORY [N] [PERIOD]]" if lang == "en" else "/top [КАТЕГОРІЯ [N] [ПЕРІОД]]") in text
    listed = visible_text(render.categories_list("en").text, "HTML")
    assert "Vehicles (retired) (retired)" not in listed
    assert "Vehicles (retired)" in listed


def test_usage_lines_speak_the_chats_language() -> None:
    text = visible_text(render.help_text("uk", COMMANDS).text, "HTML")
    assert "/day [ДАТА] — " in text and "/range [ПЕРІОД] — " in text and "/totals [ДАТА] — " in text
    assert not any(word in text for word in ("DATE", "PERIOD", "CATEGORY"))


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("en", ["/day [DATE] — ", "/range [PERIOD] — ", "/top [CATEGORY [N] [PERIOD]] — ",
                "/category [CATEGORY [PERIOD]] — ", "/lang [en|uk] — "]),
        ("uk", ["/day [ДАТА] — ", "/range [ПЕРІОД] — ", "/top [КАТЕГОРІЯ [N] [ПЕРІОД]] — ",
                "/category [КАТЕГОРІЯ [ПЕРІОД]] — ", "/lang [en|uk] — "]),
    ],
)  # fmt: skip
def test_help_shows_that_menu_commands_work_bare(lang: str, lines: list[str]) -> None:
    """Sent alone from the menu, /day, /range, /top, /category and /lang answer (with buttons): the
    usage marks their arguments optional."""
    text = visible_text(render.help_text(lang, COMMANDS).text, "HTML")
    assert all(line in text for line in lines), text


def test_categories_list_only_what_leads_to_each_one() -> None:
    # "vehicles" and "fuel tanks" lead to the merged series; the retired two are reached by their names.
    for lang in ("en", "uk"):
        listed = visible_text(render.categories_list(lang).text, "HTML").splitlines()
        for line in listed[2:]:
            name, typed = line.split(" — ")
            for form in typed.split(", "):
                found = resolve_category(form)
                assert found is not None and name.endswith(render._cat_name(found, lang)), (line, form)
    en = visible_text(render.categories_list("en").text, "HTML")
    assert "🚚 Vehicles and fuel tanks — vehicles_fuel_tanks, vehicles, trucks, fuel tanks," in en
    assert "🚗 Vehicles (retired) — vehicles (retired), автомобільна техніка" in en
    uk = visible_text(render.categories_list("uk").text, "HTML")
    assert "⛽ Цистерни з ПММ (більше не звітується) — fuel tanks (retired), цистерни з пмм" in uk


def test_records_say_retired_in_both_languages() -> None:
    view = RecordsView((RecordDay("fuel_tanks", RankedDay(1, date(2022, 3, 22), 10, 0), None),), OCTOBER)
    assert "⛽ Fuel tanks (retired): +10 on 22 Mar 2022" in lines(render.records(view, "en"))
    uk = f"⛽ Цистерни з ПММ (більше не звітується): +10, {fmt.day(date(2022, 3, 22), 'uk')}"
    assert uk in lines(render.records(view, "uk"))


def test_a_late_category_over_the_whole_war_is_averaged_from_its_first_report() -> None:
    since = date(2026, 5, 3)
    view = PeriodView(
        parse_period("all", today=TODAY),
        1_640,
        (CategorySum("ground_robotic_systems", 2_162, 856, 98, first_reported=(since, 1_306)),),
        (),
        (),
        (),
        Citations(date(2022, 2, 25), date(2026, 8, 22), ("petroivaniuk",)),
    )
    # The whole total, but its first report's 1,306 were lost before: 856 over the 97 days after it.
    assert lines(render.period(view, "en"))[2] == (
        "🤖 Ground robotic systems: 2,162 (1,306 at its first report on 3 May 2026, then ≈8.8/day)"
    )  # it read "2,162 (≈8.8/day since 3 May 2026…)": 2,162 over 97 days is 22 a day, not 8.8
    assert lines(render.period(view, "uk"))[2] == (
        f"🤖 Наземні роботизовані комплекси: 2{NBSP}162 (1{NBSP}306 у першому звіті з цією категорією, "
        f"{fmt.day(since, 'uk')}; далі ≈8,8/добу)"
    )


def test_fit_cuts_at_a_line_and_says_so() -> None:
    text = "\n".join(f"line {i} " + "x" * 50 for i in range(200))
    cut = render.fit(text, "en")
    assert len(cut) <= render.MAX_MESSAGE
    assert cut.endswith("… (shortened to fit Telegram)")
    assert len(render.fit(text, "en", render.MAX_CAPTION)) <= render.MAX_CAPTION


def test_a_reply_carries_a_photo_or_a_file_not_both() -> None:
    upload = Upload("chart.png", b"\x89PNG")
    assert Reply("Chart", photo=upload).photo == upload
    with pytest.raises(ValueError, match="not both"):
        Reply("Chart", photo=upload, document=upload)
