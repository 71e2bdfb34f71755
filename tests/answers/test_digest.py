"""/digest: the weekly or monthly digest on demand, from the real store (a small stored history)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from bot.answers import digest
from bot.answers.commands import UsageError
from bot.charts.request import parse_callback
from storage.db import reading
from tests.support.delivery_fixtures import reports
from tests.support.delivery_fixtures import store as store_reports
from tests.support.fakebotapi import visible_text

LAST = date(2024, 11, 3)


def ask(engine: Engine, args: str, lang: str = "en", today: date = date(2024, 11, 4)) -> str:
    with reading(engine) as session:
        answer = digest.digest_command(session, args, today=today, lang=lang)
    return visible_text(answer.text, "HTML")


def test_bare_digest_is_the_last_complete_week_with_a_chart_button(engine: Engine) -> None:
    store_reports(engine, reports(last=LAST, days=35))
    with reading(engine) as session:
        answer = digest.digest_command(session, "", today=date(2024, 11, 4), lang="en")
    assert visible_text(answer.text, "HTML").startswith(
        "🗓 Weekly digest: Russia's losses, 28 Oct\u2009–\u20093 Nov 2024"
    )
    [[button]] = answer.keyboard
    press = parse_callback(button.callback_data)
    assert press is not None and press.request.categories == digest.CHART_CATEGORIES


def test_a_month_by_date_in_ukrainian(engine: Engine) -> None:
    store_reports(engine, reports(last=LAST, days=35))
    text = ask(engine, "month 2024-10-15", "uk")
    assert text.startswith("🗓 Місячний підсумок: втрати росії, жовтень 2024")
    assert "Є звіти за 31 з 31 дня" in text


def test_without_reports_it_says_so_and_bad_words_get_the_usage(engine: Engine) -> None:
    store_reports(engine, reports(last=LAST, days=35))
    assert ask(engine, "week 2023-01-02") == "No report is stored for 2–8 Jan 2023: no digest."
    with reading(engine) as session, pytest.raises(UsageError, match="Usage: /digest"):
        digest.digest_command(session, "fortnight", today=LAST, lang="en")


@pytest.mark.parametrize(
    ("lang", "notice"),
    [
        ("en", "⚠️ The newest report is 30 days old: the sources may be late."),
        ("uk", "⚠️ Найновішому звіту 30 днів: джерела, можливо, запізнюються."),
    ],
)
def test_a_digest_asked_for_when_the_data_is_late_says_so_first(
    engine: Engine, lang: str, notice: str
) -> None:
    store_reports(engine, reports(last=LAST, days=35))
    late = ask(engine, "week", lang, today=date(2024, 12, 3))
    on_time = ask(engine, "week", lang, today=date(2024, 11, 4))
    assert late == f"{notice}\n\n{on_time}"


def test_a_wrong_word_gets_the_usage_in_ukrainian_with_its_own_words(engine: Engine) -> None:
    store_reports(engine, reports(last=LAST, days=35))
    with reading(engine) as session, pytest.raises(UsageError) as refused:
        digest.digest_command(session, "два", today=LAST, lang="uk")
    assert str(refused.value).splitlines() == [
        "Вкажіть тиждень або місяць і, за бажанням, дату; без нічого — минулий тиждень.",
        "Використання: /digest [тиждень|місяць] [ДАТА]",
        "Приклад: /digest місяць 2024-10",
    ]
