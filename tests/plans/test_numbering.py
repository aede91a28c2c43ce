from hypothesis import given
from hypothesis import strategies as st

from plans.numbering import number_sort_key


def test_numbers_sort_as_people_read_them():
    numbers = ["2.10", "2.9", "10.1", "2.1", "9"]
    assert sorted(numbers, key=number_sort_key) == ["2.1", "2.9", "2.10", "9", "10.1"]


def test_lettered_items_sort_alphabetically():
    assert sorted(["c)", "a)", "b)"], key=number_sort_key) == ["a)", "b)", "c)"]


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_integer_parts_compare_numerically(a, b):
    assert (number_sort_key(f"1.{a}") < number_sort_key(f"1.{b}")) == (a < b)
