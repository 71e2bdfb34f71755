"""Numbers as report texts write them: digits, "тис."/"мільйона" splits, words; rounded figures refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.numbers import MAX_DIGITS, find_numbers


def read(text: str) -> list[tuple[str, int | None]]:
    return [(text[n.start : n.end], n.value) for n in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9097", 9097),
        ("685 910", 685910),
        ("685,910", 685910),
        ("1 112 460", 1112460),
        ("646 тис. 400", 646400),
        ("1 тис. 250", 1250),
        ("8 тис. 815", 8815),
        ("1 мільйона 112 460", 1112460),
        ("1 мільйон 2 тис. 340", 1002340),
        ("2 thousand 15", 2015),
    ],
)
def test_a_count_in_digits_or_split_by_a_scale_word(text: str, value: int) -> None:
    assert read(text) == [(text, value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("seven", 7),
        ("Two", 2),
        ("twenty-one", 21),
        ("one hundred twenty", 120),
        ("один", 1),
        ("двох", 2),
        ("п'ять", 5),
        ("п’ятнадцять", 15),
        ("сто двадцять три", 123),
        ("двісті", 200),
    ],
)
def test_small_numbers_in_words(text: str, value: int) -> None:
    [number] = find_numbers(text)
    assert (number.value, number.in_words) == (value, True)


@pytest.mark.parametrize(
    "text",
    ["685,9 тис.", "1.22 million", "646 тис.", "тисяча", "2 млн", "3,5", "9" * (MAX_DIGITS + 1)],
)
def test_rounded_figures_have_no_value(text: str) -> None:
    assert read(text) == [(text, None)]


def test_parts_that_do_not_compose_are_separate_numbers() -> None:
    assert read("3 тис. 5000") == [("3 тис.", None), ("5000", 5000)]
    assert read("1 1 1") == [("1", 1), ("1", 1), ("1", 1)]
    assert read("seven 5") == [("seven", 7), ("5", 5)]


@pytest.mark.parametrize("text", ["T90", "4th", "11k", "одиниць", "someone", "сім'я", "сторона", "often"])
def test_digits_glued_to_letters_and_words_inside_words_are_not_numbers(text: str) -> None:
    assert find_numbers(text) == []


def test_a_limit_stops_reading_early() -> None:
    assert len(find_numbers("1 " * 50_000, limit=101)) == 101


def test_spans_point_into_the_text() -> None:
    text = "tanks — 7,834 (+6) units; 1 тис. 199 (+1)"
    assert read(text) == [("7,834", 7834), ("6", 6), ("1 тис. 199", 1199), ("1", 1)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 ,.-тис.млнone twoсто")), max_size=200))
def test_any_mix_of_digits_and_number_words_reads_without_error(text: str) -> None:
    for number in find_numbers(text):
        assert 0 <= number.start < number.end <= len(text)
        assert number.value is None or number.value >= 0
