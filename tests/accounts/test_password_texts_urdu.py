"""Django ships no Urdu for its password validators: the project's catalogue carries it
(accounts/password_texts.py keeps the texts for makemessages). If a Django upgrade changes a text, the
help or the error falls back to English and this test says which."""

import pytest
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    NumericPasswordValidator,
    UserAttributeSimilarityValidator,
    password_validators_help_texts,
)
from django.core.exceptions import ValidationError
from django.utils import translation

URDU_LETTERS = range(0x0600, 0x0700)


def is_urdu(text: str) -> bool:
    return any(ord(ch) in URDU_LETTERS for ch in text) and not any("a" <= ch.lower() <= "z" for ch in text)


def test_every_password_rule_reads_in_urdu_on_an_urdu_page():
    with translation.override("ur"):
        texts = password_validators_help_texts()
    assert len(texts) == 4
    assert all(is_urdu(text) for text in texts), texts


@pytest.mark.parametrize(
    "validator, password",
    [
        (MinimumLengthValidator(min_length=10), "short"),
        (CommonPasswordValidator(), "password123"),
        (NumericPasswordValidator(), "12345678901"),
    ],
)
def test_a_refused_password_is_told_in_urdu(validator, password):
    with translation.override("ur"), pytest.raises(ValidationError) as refused:
        validator.validate(password)
    (message,) = refused.value.messages
    assert is_urdu(message), message


def test_the_similarity_refusal_names_the_field_in_urdu(db):
    from tests.factories import UserFactory

    user = UserFactory(email="ayesha.malik@example.pk")
    with translation.override("ur"), pytest.raises(ValidationError) as refused:
        UserAttributeSimilarityValidator().validate("ayesha.malik@example.pk1", user=user)
    (message,) = refused.value.messages
    assert "پاس ورڈ" in message and "too similar" not in message
