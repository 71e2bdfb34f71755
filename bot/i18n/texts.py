"""Every sentence the bot says, in English and Ukrainian. Templates use str.format fields."""

from __future__ import annotations

LANGS = ("en", "uk")

_TEXTS: dict[str, dict[str, str]] = {
    "start": {
        "en": "👋 I keep the daily figures of Russia's losses in Ukraine as published by Ukraine's General "
        "Staff, and answer questions about totals, days, periods and categories.\n\n"
        "Try /totals, /day 2024-10-25, /range week or /top personnel 10.\nAll commands: /help",
        "uk": "👋 Я зберігаю щоденні дані про втрати росії в Україні, які публікує Генеральний штаб ЗСУ, "
        "і відповідаю на запитання про підсумки, дні, періоди та категорії.\n\n"
        "Спробуйте /totals, /day 2024-10-25, /range тиждень або /top особовий 10.\nУсі команди: /help",
    },
    "help_title": {"en": "<b>Commands</b>", "uk": "<b>Команди</b>"},
    "help_period": {
        "en": "<b>PERIOD</b>: 2024-10-25, 25.10.2024, 2024-10, 2024, 2024-10-21..2024-10-25, "
        "since 2024-10-21, 7d, 30d, week, month, year, all.\n"
        "<b>CATEGORY</b>: a name or alias, e.g. personnel, tanks, afv, drones — see /categories.",
        "uk": "<b>ПЕРІОД</b>: 2024-10-25, 25.10.2024, 2024-10, 2024, 2024-10-21..2024-10-25, з 21.10.2024, "
        "7д, 30д, тиждень, місяць, рік, все.\n<b>КАТЕГОРІЯ</b>: назва або скорочення, напр. особовий, танки, "
        "ббм, дрони — див. /categories.",
    },
    "help_footer": {
        "en": "Figures are Ukraine's General Staff estimates; every answer names its report date and source.",
        "uk": "Дані — оцінки Генерального штабу ЗСУ; кожна відповідь називає дату звіту та джерело.",
    },
    "lang_set": {"en": "Language set to English.", "uk": "Мову змінено на українську."},
    "lang_usage": {
        "en": "Usage: /lang en or /lang uk",
        "uk": "Використання: /lang en або /lang uk",
    },
    "usage": {"en": "Usage: {usage}", "uk": "Використання: {usage}"},
    "example": {"en": "Example: {example}", "uk": "Приклад: {example}"},
    "too_long": {
        "en": "That is too long for a command argument.",
        "uk": "Аргумент команди задовгий.",
    },
    "no_data": {
        "en": "No reports are stored yet. An operator can load the history with: lossbot import PATH",
        "uk": "Звітів ще немає. Оператор може завантажити історію: lossbot import PATH",
    },
    "no_report_day": {
        "en": "No report for {day} yet.",
        "uk": "Звіту за {day} ще немає.",
    },
    "no_report_nearest": {
        "en": "No report is stored for {day}.",
        "uk": "Звіту за {day} немає.",
    },
    "nearest": {"en": "Nearest reports: {days}.", "uk": "Найближчі звіти: {days}."},
    "future": {
        "en": "{day} is in the future: the latest report is of {latest}.",
        "uk": "{day} ще не настав: останній звіт — за {latest}.",
    },
    "unknown_category": {
        "en": "I don't know the category “{text}”. Try one of: {examples} — or see /categories.",
        "uk": "Не знаю категорії «{text}». Спробуйте: {examples} — або див. /categories.",
    },
    "bad_period": {
        "en": "I can't read the period “{text}”{detail}.",
        "uk": "Не можу розібрати період «{text}»{detail}.",
    },
    "bad_date": {
        "en": "I can't read the date “{text}”{detail}. Write it as 2024-10-25 or 25.10.2024.",
        "uk": "Не можу розібрати дату «{text}»{detail}. Пишіть як 2024-10-25 або 25.10.2024.",
    },
    "bad_n": {
        "en": "N must be a whole number from 1 to {max}.",
        "uk": "N має бути цілим числом від 1 до {max}.",
    },
    "period_reason_future": {"en": ": it is in the future", "uk": ": це в майбутньому"},
    "period_reason_before_war": {
        "en": ": it is before the full-scale invasion (24 Feb 2022)",
        "uk": ": це до повномасштабного вторгнення (24.02.2022)",
    },
    "period_reason_reversed": {"en": ": it ends before it starts", "uk": ": кінець раніше за початок"},
    "period_reason_bad_date": {"en": ": no such date", "uk": ": такої дати немає"},
    "period_reason_bad_days": {"en": ": days must be 1–3650", "uk": ": днів має бути 1–3650"},
    "period_reason_too_long": {"en": ": too long", "uk": ": задовго"},
    "unknown_command": {
        "en": "I don't know that command. See /help.",
        "uk": "Не знаю такої команди. Див. /help.",
    },
    "chatter_private": {
        "en": "I answer commands — see /help. For example: /totals",
        "uk": "Я відповідаю на команди — див. /help. Наприклад: /totals",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again in a minute.",
        "uk": "Вибачте, у мене сталася помилка. Спробуйте ще раз за хвилину.",
    },
    # ------------------------------------------------------------------ answers
    "totals_title": {
        "en": "<b>Russia's losses as of {day}</b> (day {n} of the full-scale invasion)",
        "uk": "<b>Втрати росії станом на {day}</b> ({n}-й день повномасштабного вторгнення)",
    },
    "totals_not_that_day": {
        "en": "No report is dated {asked}; these are the totals of the latest report before it.",
        "uk": "Звіту за {asked} немає; це підсумки останнього звіту перед цією датою.",
    },
    "day_title": {
        "en": "<b>Report of {day}</b> (day {n}): losses over the past day, and totals",
        "uk": "<b>Звіт за {day}</b> ({n}-й день): втрати за добу та загалом",
    },
    "rank_line": {
        "en": "🏅 {category} {increase}: the {rank}-highest day at the time (of {out_of} days){extra}",
        "uk": "🏅 {category} {increase}: {rank} місце серед днів на той час (з {out_of}){extra}",
    },
    "rank_since": {"en": "; {rank} counting from {since}", "uk": "; {rank} від {since}"},
    "record_line": {
        "en": "🏆 {category} {increase}: a record at the time.",
        "uk": "🏆 {category} {increase}: рекорд на той час.",
    },
    "recount_line": {
        "en": "↺ Recount in {category}: the total changed by {change} while {increase} was reported.",
        "uk": "↺ Перерахунок ({category}): загальна кількість змінилася на {change}, "
        "а повідомлено {increase}.",
    },
    "range_title": {
        "en": "<b>Losses, {period}</b> ({reports} reports, {first} – {last})",
        "uk": "<b>Втрати, {period}</b> (звітів: {reports}, {first} – {last})",
    },
    "range_line": {
        "en": "{icon} {name}: {amount} (≈{avg}/day)",
        "uk": "{icon} {name}: {amount} (≈{avg}/добу)",
    },
    "range_started": {"en": " — counted from {day}, when first reported", "uk": " — з {day}, коли вперше"},
    "range_none": {
        "en": "No reports in {period}.",
        "uk": "У період {period} звітів немає.",
    },
    "range_missing": {
        "en": "⚠️ No report for {count} day(s): {days}. Sums follow the totals at the ends.",
        "uk": "⚠️ Немає звітів за {count} дн.: {days}. Суми відповідають загальним кількостям на краях.",
    },
    "range_recount": {
        "en": "↺ Recount(s) on {days}: sums follow the totals at the ends; the reported increases add up "
        "differently for {categories}.",
        "uk": "↺ Перерахунки {days}: суми відповідають загальним кількостям на краях; сума повідомлених "
        "приростів інша для: {categories}.",
    },
    "top_title": {
        "en": "<b>Top {n} days: {name}</b>, {period}",
        "uk": "<b>Топ-{n} днів: {name}</b>, {period}",
    },
    "top_line": {"en": "{rank}. {day} — {increase}", "uk": "{rank}. {day} — {increase}"},
    "top_none": {
        "en": "No daily figures for {name} in {period}.",
        "uk": "Немає щоденних даних для «{name}» за {period}.",
    },
    "top_ties": {"en": "Equal increases share a rank.", "uk": "Однакові прирости мають однакове місце."},
    "category_title": {"en": "<b>{icon} {name}</b>", "uk": "<b>{icon} {name}</b>"},
    "category_total": {
        "en": "Total as of {day}: {total} ({increase} that day)",
        "uk": "Загалом станом на {day}: {total} ({increase} за добу)",
    },
    "category_avg": {
        "en": "Daily average: {avg7} over 7 days, {avg30} over 30 days",
        "uk": "У середньому за добу: {avg7} за 7 днів, {avg30} за 30 днів",
    },
    "category_record": {
        "en": "Record day: {day}, {increase}",
        "uk": "Рекордний день: {day}, {increase}",
    },
    "category_rank": {
        "en": "Latest day's rank: {rank} of {out_of} days",
        "uk": "Місце останнього дня: {rank} з {out_of}",
    },
    "category_period": {
        "en": "{period}: {amount} (≈{avg}/day over {days} reports); highest day {day}, {increase}",
        "uk": "{period}: {amount} (≈{avg}/добу, звітів: {days}); найбільше {day}, {increase}",
    },
    "category_not_reported": {
        "en": "{name} is not in the latest report (reported {first} – {last}).",
        "uk": "«{name}» немає в останньому звіті (звітувалося {first} – {last}).",
    },
    "records_title": {
        "en": "<b>Record day of each category</b> (highest reported increase)",
        "uk": "<b>Рекордний день кожної категорії</b> (найбільший приріст за добу)",
    },
    "records_line": {"en": "{icon} {name}: {increase} on {day}", "uk": "{icon} {name}: {increase}, {day}"},
    "records_since": {
        "en": "   since Apr 2022: {increase} on {day}",
        "uk": "   від квітня 2022: {increase}, {day}",
    },
    "records_note": {
        "en": "Days of February–March 2022 carry artifacts of irregular early reporting.",
        "uk": "Дні лютого–березня 2022 мають похибки нерегулярних ранніх звітів.",
    },
    "categories_title": {
        "en": "<b>Categories</b> (name — what you can type)",
        "uk": "<b>Категорії</b> (назва — що можна писати)",
    },
    "retired": {"en": "retired", "uk": "більше не звітується"},
    "source_line": {
        "en": "📎 Ukraine's General Staff figures · report of {day} · source: {source}",
        "uk": "📎 Дані Генштабу ЗСУ · звіт за {day} · джерело: {source}",
    },
    "sources_line": {
        "en": "📎 Ukraine's General Staff figures · reports {first} – {last} · sources: {sources}",
        "uk": "📎 Дані Генштабу ЗСУ · звіти {first} – {last} · джерела: {sources}",
    },
    "truncated": {"en": "… (shortened to fit Telegram)", "uk": "… (скорочено під ліміт Telegram)"},
}

SOURCE_NAMES: dict[str, dict[str, str]] = {
    "petroivaniuk": {"en": "PetroIvaniuk dataset", "uk": "набір даних PetroIvaniuk"},
    "orc-losses": {"en": "Ministry of Defence of Ukraine", "uk": "Міністерство оборони України"},
    "russianwarship": {"en": "russianwarship.rip", "uk": "russianwarship.rip"},
    "moderator": {
        "en": "General Staff report, published by a moderator",
        "uk": "звіт Генштабу, опубліковано модератором",
    },
}

SOURCE_HOME: dict[str, str] = {
    "petroivaniuk": "https://github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset",
    "orc-losses": "https://github.com/lod-db/orc-losses",
    "russianwarship": "https://russianwarship.rip",
}

# The query commands: name, usage and one-line help, in menu order. Other features (moderation,
# subscriptions) declare their own `COMMANDS` the same way; the composition point joins them.
COMMANDS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (
        "totals",
        "/totals [DATE]",
        {"en": "totals as of the latest report (or DATE)", "uk": "підсумки за останнім звітом (або на дату)"},
    ),
    (
        "day",
        "/day DATE",
        {
            "en": "one report: the day's losses, totals and ranks",
            "uk": "один звіт: втрати за добу, підсумки, місця",
        },
    ),
    (
        "range",
        "/range PERIOD",
        {
            "en": "losses summed over a period, with daily averages",
            "uk": "втрати за період і середні за добу",
        },
    ),
    (
        "top",
        "/top CATEGORY [N] [PERIOD]",
        {"en": "the N days with the highest losses", "uk": "N днів із найбільшими втратами"},
    ),
    (
        "category",
        "/category CATEGORY [PERIOD]",
        {
            "en": "one category: total, averages, record, rank",
            "uk": "одна категорія: підсумок, середні, рекорд, місце",
        },
    ),
    (
        "records",
        "/records",
        {"en": "the record day of each category", "uk": "рекордний день кожної категорії"},
    ),
    (
        "categories",
        "/categories",
        {"en": "category names and what you can type", "uk": "назви категорій і скорочення"},
    ),
    ("lang", "/lang en|uk", {"en": "set this chat's language", "uk": "мова цього чату"}),
    ("help", "/help", {"en": "this help", "uk": "ця довідка"}),
    ("start", "/start", {"en": "what this bot does", "uk": "що вміє цей бот"}),
)

EXAMPLES: dict[str, str] = {
    "totals": "/totals 2025-08-22",
    "day": "/day 2024-10-25",
    "range": "/range 2024-10-21..2024-10-25",
    "top": "/top personnel 3 2022-04-01..2024-10-25",
    "category": "/category tanks 2024",
    "lang": "/lang uk",
}


def tr(entry: dict[str, str], lang: str, **fields: object) -> str:
    """One sentence ENTRY ({"en": …, "uk": …}) in LANG (English unless Ukrainian), FIELDS filled in.
    Feature modules keep their own sentences in such dicts and render them with this."""
    template = entry["uk"] if lang == "uk" else entry["en"]
    return template.format(**fields) if fields else template


def t(lang: str, key: str, **fields: object) -> str:
    """The shared sentence KEY in LANG, with FIELDS filled in."""
    return tr(_TEXTS[key], lang, **fields)


def source_name(source: str, lang: str) -> str:
    names = SOURCE_NAMES.get(source)
    if names is None:
        return source
    return names["uk"] if lang == "uk" else names["en"]
