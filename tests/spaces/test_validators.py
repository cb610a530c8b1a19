import pytest
from django.core.exceptions import ValidationError

from spaces.validators import mask, normalize_cnic, normalize_iban, normalize_mobile, normalize_ntn


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("34101-1234567-1", "34101-1234567-1"),
        ("3410112345671", "34101-1234567-1"),
        (" 35202-7654321-8 ", "35202-7654321-8"),
    ],
)
def test_good_cnic_is_shown_in_standard_form(raw, shown):
    assert normalize_cnic(raw) == shown


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("34101-123456-1", "cnic_length", "13 digits"),
        ("3410112345671234", "cnic_length", "13 digits"),
        ("3410A-1234567-1", "cnic_format", "only digits"),
        ("94101-1234567-1", "cnic_region", "province"),
    ],
)
def test_bad_cnic_is_refused_with_specific_message(raw, code, words):
    with pytest.raises(ValidationError) as exc:
        normalize_cnic(raw)
    assert exc.value.code == code
    assert words in exc.value.messages[0]


def test_good_pakistani_iban_is_compacted():
    assert normalize_iban("pk36 scbl 0000 0011 2345 6702") == "PK36SCBL0000001123456702"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("PK37SCBL0000001123456702", "iban_checksum"),  # one check digit wrong
        ("PK36SCBL0000001123456703", "iban_checksum"),  # one account digit mistyped
        ("GB82WEST12345698765432", "iban_country"),  # a valid British IBAN
        ("PK36SCBL00000011234567", "iban_length"),
        ("", "iban_country"),
    ],
)
def test_bad_iban_is_refused_with_specific_message(raw, code):
    with pytest.raises(ValidationError) as exc:
        normalize_iban(raw)
    assert exc.value.code == code


def test_iban_check_digit_message_tells_the_user_what_to_do():
    with pytest.raises(ValidationError) as exc:
        normalize_iban("PK37SCBL0000001123456702")
    assert "check digits do not match" in exc.value.messages[0]


@pytest.mark.parametrize(("raw", "shown"), [("1234567-8", "1234567-8"), ("12345678", "1234567-8")])
def test_good_ntn(raw, shown):
    assert normalize_ntn(raw) == shown


@pytest.mark.parametrize("raw", ["123456-8", "1234567-89", "ABCDEFG-1", ""])
def test_bad_ntn(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_ntn(raw)
    assert exc.value.code == "ntn_format"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("0300-1234567", "0300-1234567"), ("03211234567", "0321-1234567"), ("+92 333 7654321", "0333-7654321")],
)
def test_good_mobile(raw, shown):
    assert normalize_mobile(raw) == shown


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("042-35761234", "mobile_landline"),  # a Lahore landline
        ("0399-1234567", "mobile_invalid"),  # no network uses 0399
        ("+44 7700 900123", "mobile_invalid"),  # a British mobile
        ("call me", "mobile_format"),
    ],
)
def test_bad_mobile(raw, code):
    with pytest.raises(ValidationError) as exc:
        normalize_mobile(raw)
    assert exc.value.code == code


def test_mask_keeps_last_four():
    assert mask("PK36SCBL0000001123456702") == "•" * 20 + "6702"
    assert mask("34101-1234567-1") == "•" * 11 + "67-1"
