"""Identifier checks and code lists, with hand-worked check digits."""

from __future__ import annotations

import pytest

from datahub.codes import (
    LOCAL_AUTHORITIES,
    check_seed_code,
    is_valid_scn,
    make_scn,
    make_seed_code,
    scn_check_digit,
    seed_check_digit,
    simd_quintile,
)


def test_there_are_32_authorities_with_unique_codes() -> None:
    assert len(LOCAL_AUTHORITIES) == 32
    assert len({c for c, _, _ in LOCAL_AUTHORITIES}) == 32
    assert len({g for _, g, _ in LOCAL_AUTHORITIES}) == 32
    codes = dict((name, code) for code, _, name in LOCAL_AUTHORITIES)
    assert codes["Aberdeen City"] == 100 and codes["West Lothian"] == 400


def test_seed_check_digit_worked_example() -> None:
    # 520123x: 5*7 + 2*6 + 0*5 + 1*4 + 2*3 + 3*2 = 35+12+0+4+6+6 = 63; 63 mod 11 = 8; 11-8 = 3
    assert seed_check_digit("520123") == 3
    assert check_seed_code("5201233") .check_digit_ok
    mismatch = check_seed_code("5201234")
    assert mismatch.valid_format and not mismatch.check_digit_ok  # a warning, not a rejection


def test_seed_check_digit_ten_is_written_as_zero() -> None:
    # 100000: 1*7 = 7; 7 mod 11 = 7; 11-7 = 4 -> not 10; 200000: 14 mod 11 = 3 -> 8.
    # 000002: 2*2 = 4 -> 7. 000010: 1*3=3 -> 8. Find 10: sum mod 11 == 1, e.g. 000001 is not (2);
    # 100001: 7+2 = 9 -> 2; 000100: 4 -> 7; 010000: 6 -> 5; 000011: 3+2=5 -> 6; 000030: 9 -> 2;
    # 001000: 5 -> 6; 000200: 8 -> 3; 003000: 15 mod 11 = 4 -> 7; 000300: 12 mod 11 = 1 -> 10 -> 0.
    assert seed_check_digit("000300") == 0


@pytest.mark.parametrize("bad", ["", "123456", "12345678", "12a4567", " 1234567"])
def test_seed_format_is_seven_digits(bad: str) -> None:
    assert not check_seed_code(bad).valid_format


def test_scn_check_digit_worked_example() -> None:
    # 12345678: 1*3+2*2+3*7+4*6+5*5+6*4+7*3+8*2 = 3+4+21+24+25+24+21+16 = 138; 138 mod 11 = 6; 11-6 = 5
    assert scn_check_digit("12345678") == 5
    assert is_valid_scn("123456785")
    assert not is_valid_scn("123456784")


def test_scn_remainder_zero_gives_zero_and_one_is_invalid() -> None:
    # 00000011: 3+2 = 5 -> 6 ; 00000022: 6+4=10 -> 1 ; 00000000 -> 0
    assert scn_check_digit("00000000") == 0
    assert is_valid_scn("000000000")
    # remainder 1: 00000030 -> 3*3 = 9? weights for position 7 is 3: 9 mod 11 = 9. Use 00000005: 5*2 = 10; 00000006: 12 -> 1
    assert scn_check_digit("00000006") is None
    assert not any(is_valid_scn("00000006" + str(d)) for d in range(10))


@pytest.mark.parametrize("bad", ["", "12345678", "1234567890", "12345678x"])
def test_scn_must_be_nine_digits(bad: str) -> None:
    assert not is_valid_scn(bad)


def test_generated_identifiers_are_valid() -> None:
    for n in range(0, 5000, 37):
        assert is_valid_scn(make_scn(10_000_000 + n))
        assert check_seed_code(make_seed_code(100_000 + n)).check_digit_ok


@pytest.mark.parametrize(("decile", "quintile"), [(1, 1), (2, 1), (3, 2), (6, 3), (9, 5), (10, 5)])
def test_simd_quintile(decile: int, quintile: int) -> None:
    assert simd_quintile(decile) == quintile
