"""Category labels as relays write them: case endings, synonyms, typos; never one category for another."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.categories import CATEGORIES
from bot.domain.labels import category_of, edit_distance, is_label_word


@pytest.mark.parametrize(
    ("label", "key"),
    [
        # Synonyms and case endings media use.
        ("Russian invaders", "personnel"),
        ("російських окупантів", "personnel"),
        ("військових", "personnel"),
        ("людей особового складу", "personnel"),
        ("одиниць танків", "tanks"),
        ("armored fighting vehicles", "afv"),
        ("multiple-launch rocket systems", "mlrs"),
        ("air defence equipment", "air_defense"),
        ("засоби протиповітряної оборони", "air_defense"),
        ("operational-tactical drones", "uav"),
        ("tactical unmanned aerial vehicles", "uav"),
        ("кораблів і катерів", "ships"),
        ("warships and boats", "ships"),
        ("підводний човен", "submarines"),
        ("автомобілі та автоцистерни", "vehicles_fuel_tanks"),
    ],
)
def test_relay_labels(label: str, key: str) -> None:
    assert category_of(label) == key


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("гелікоптрів", "helicopters"),  # a letter dropped
        ("літакив", "aircraft"),  # и for і
        ("бойвих броньваних машин", "afv"),  # in both words that tell the category
        ("artilery systems", "artillery"),
        ("spesial equipment", "special_equipment"),
        ("submarnies", "submarines"),  # two letters swapped
        ("артелерийських систем", "artillery"),  # two letters in one long word
        ("aиmoured personnel vehicle", "afv"),  # a Cyrillic letter in a Latin word; not personnel
        ("fuel tnks", "fuel_tanks"),
    ],
)
def test_typos_of_a_letter_or_two_are_read(label: str, key: str) -> None:
    assert category_of(label) == key


@pytest.mark.parametrize(
    "label",
    [
        "anri-aircraft warfare systems",  # the typo is in the word that tells air defence from aircraft
        "vehicles and fnel tanks",  # ... vehicles and fuel tanks from vehicles
        "fnel tanks",  # not tanks: the typo is in "fuel", too short to correct
        "unmannedaerial vehicles",  # two words run together: not vehicles
        "thanks",  # a word, not a typo of "tanks": short words are never corrected
        "groups",  # one letter from "troops", but typos keep the first letter
    ],
)
def test_a_typo_that_could_be_another_category_is_not_read(label: str) -> None:
    assert category_of(label) is None


def test_prose_keeps_its_category_although_it_has_other_labels_words() -> None:
    # "бойові" belongs to the AFV label; the clause is prose about personnel.
    assert category_of("бойові втрати противника серед особового складу орієнтовно склали близько") == (
        "personnel"
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        *[("бойових", True), ("systems", True), ("рівня", True), ("техніку", True), ("гелікоптрів", True)],
        *[("втратила", False), ("according", False), ("також", False)],
    ],
)
def test_label_words_and_prose_words(word: str, expected: bool) -> None:
    assert is_label_word(word) is expected


def test_edit_distance_counts_a_swap_as_one_edit_and_stops_at_the_limit() -> None:
    assert edit_distance("submarnies", "submarines", limit=2) == 1
    assert edit_distance("tanks", "tanks", limit=1) == 0
    assert edit_distance("tanks", "helicopters", limit=2) == 3


# --- Property: a typo never turns one category into another ------------------------------------------

KNOWN_LABELS = [(label, c.key) for c in CATEGORIES for label in (*c.labels_en, *c.labels_uk)]
LETTERS = "абвгдеиіклмнопрстуaeioulnrst"


@st.composite
def typo(draw: st.DrawFn, text: str) -> str:
    """TEXT with one edit: a letter dropped, doubled, replaced or swapped with the next."""
    i = draw(st.integers(0, len(text) - 1))
    letter = draw(st.sampled_from(LETTERS))
    return draw(
        st.sampled_from(
            [
                text[:i] + text[i + 1 :],
                text[:i] + letter + text[i:],
                text[:i] + letter + text[i + 1 :],
                text[:i] + text[i + 1 : i + 2] + text[i] + text[i + 2 :],
            ]
        )
    )


@st.composite
def one_typo(draw: st.DrawFn) -> tuple[str, str]:
    label, key = draw(st.sampled_from(KNOWN_LABELS))
    return draw(typo(label)), key


@st.composite
def two_typos_in_a_long_word(draw: st.DrawFn) -> tuple[str, str]:
    label, key = draw(st.sampled_from([(lb, k) for lb, k in KNOWN_LABELS if re.search(r"\w{9}", lb)]))
    word = draw(st.sampled_from([m for m in re.finditer(r"\w+", label) if len(m.group()) >= 9]))
    changed = draw(typo(draw(typo(word.group()))))
    return label[: word.start()] + changed + label[word.end() :], key


@settings(max_examples=500, deadline=None)
@given(case=st.one_of(one_typo(), two_typos_in_a_long_word()))
def test_a_typo_is_read_as_its_category_or_not_at_all(case: tuple[str, str]) -> None:
    label, key = case
    assert category_of(label) in (key, None)
