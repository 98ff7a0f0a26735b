"""Cell parsers: any value a spreadsheet can hold gives a typed value or a CellError, nothing else."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eipkit import contract
from eipkit.workbooks import cells

ANY_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=80),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["17 02 03", "170203", "2610", "yes", "không", "MWh", "1.5", "1,5", "-3", "2022", "lít"]),
)
KINDS = sorted({c.kind for sheet in contract.sheets().values() for c in sheet.columns})


@pytest.mark.parametrize("kind", KINDS)
@given(value=ANY_CELL)
def test_every_column_kind_gives_a_value_or_a_cell_error(kind: str, value: object) -> None:
    parse = cells.parser_for(kind)
    try:
        parse(value)
    except cells.CellError as exc:
        assert str(exc)


@given(st.floats(min_value=0, max_value=1e15, allow_nan=False))
def test_a_number_written_as_text_reads_back_as_the_same_number(value: float) -> None:
    assert cells.parse_number(repr(value)) == value
    assert cells.parse_number(value) == value


@given(st.integers(min_value=0, max_value=999999))
def test_a_waste_code_that_lost_its_leading_zeros_is_padded_back(code: int) -> None:
    digits = f"{code:06d}"
    expected = f"{digits[0:2]} {digits[2:4]} {digits[4:6]}"
    assert cells.parse_waste_code(code) == expected
    assert cells.parse_waste_code(digits) == expected
    assert cells.parse_waste_code(expected) == expected


@pytest.mark.parametrize("bad", ["17 02", "17-02-03", "A7 02 03", "1702031", 1234567, 1.5])
def test_malformed_waste_codes_are_refused(bad: object) -> None:
    with pytest.raises(cells.CellError, match="malformed waste code"):
        cells.parse_waste_code(bad)


def test_numbers_with_thousands_separators_are_refused_with_the_reason() -> None:
    with pytest.raises(cells.CellError, match="thousands separators"):
        cells.parse_number("1,234.5")


def test_years_outside_the_possible_range_are_refused() -> None:
    this_year = dt.date.today().year
    assert cells.parse_year(this_year) == this_year
    for bad in (1979, this_year + 1, 2022.5, "twenty"):
        with pytest.raises(cells.CellError):
            cells.parse_year(bad)


def test_enumerations_accept_keys_and_labels_in_either_language() -> None:
    parse = cells.enum_parser("fate")
    assert parse("landfill") == parse("Chôn lấp") == parse("LANDFILL") == parse("Landfill") == "landfill"
    with pytest.raises(cells.CellError, match="allowed: landfill"):
        parse("dump")


def test_vsic_codes_must_name_a_real_division() -> None:
    assert cells.parse_vsic("26100") == "26100"
    with pytest.raises(cells.CellError, match="no VSIC 2018 division 04"):
        cells.parse_vsic("0411")
    with pytest.raises(cells.CellError, match="2 to 5 digits"):
        cells.parse_vsic("261000")
