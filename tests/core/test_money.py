"""The one money parser (core.money.parse_money): what people type is read, everything else gets a
message saying what is wrong, and nothing raises (security issue #14, finding 7: `1e30` was a 500)."""

from decimal import Decimal

import pytest

from core.money import parse_money


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,500,000", Decimal("1500000.00")),
        ("15,00,000", Decimal("1500000.00")),  # South Asian grouping
        ("1500000.5", Decimal("1500000.50")),
        (" 900,000 ", Decimal("900000.00")),
        ("۱۲۵۰۰۰", Decimal("125000.00")),  # Urdu digits
        ("١٢٥٠٠٠", Decimal("125000.00")),  # Arabic-Indic digits
        ("0", Decimal("0.00")),
        (Decimal("12.30"), Decimal("12.30")),
        (Decimal("1E+3"), Decimal("1000.00")),
        (7, Decimal("7.00")),
        (Decimal("999999999999.99"), Decimal("999999999999.99")),
    ],
)
def test_amounts_as_people_type_them_are_read(typed, amount):
    assert parse_money(typed, "The amount") == (amount, None)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e30", "The amount must be an amount in rupees, like 1,250,000."),
        ("1E5", "The amount must be an amount in rupees, like 1,250,000."),
        ("NaN", "The amount must be an amount in rupees, like 1,250,000."),
        ("Infinity", "The amount must be an amount in rupees, like 1,250,000."),
        ("-Infinity", "The amount must be an amount in rupees, like 1,250,000."),
        ("1_000", "The amount must be an amount in rupees, like 1,250,000."),
        ("12 lakh", "The amount must be an amount in rupees, like 1,250,000."),
        ("1,5,0", "The amount must be an amount in rupees, like 1,250,000."),
        (Decimal("NaN"), "The amount must be an amount in rupees, like 1,250,000."),
        (Decimal("1E+30"), "The amount is far larger than any amount this program handles."),
        (Decimal("1E-30"), "The amount can have at most two decimal places (paisas)."),
        ("1000000000000", "The amount is far larger than any amount this program handles."),
        ("9" * 400, "The amount is far larger than any amount this program handles."),
        ("0." + "0" * 300 + "1", "The amount can have at most two decimal places (paisas)."),
        ("12.345", "The amount can have at most two decimal places (paisas)."),
        ("-5", "The amount cannot be negative."),
        (1.5, "The amount must be a whole amount in rupees and paisas."),
        (True, "The amount must be a whole amount in rupees and paisas."),
        ("", "Enter The amount."),
        (None, "Enter The amount."),
    ],
)
def test_anything_else_gets_a_specific_message_and_never_raises(typed, message):
    assert parse_money(typed, "The amount") == (None, message)


def test_zero_is_refused_where_an_amount_must_be_positive():
    assert parse_money("0.00", "The loan", positive=True) == (None, "The loan must be more than zero.")
