"""The header's "Sign out <first name>" (issue #17): honorifics before a name are skipped."""

import pytest

from accounts.models import User


@pytest.mark.parametrize(
    ("full_name", "short"),
    [
        ("Dr. Farah Naz", "Farah"),
        ("Justice (R) Tariq Mahmood", "Tariq"),
        ("Prof Dr. Ayesha Siddiqa", "Ayesha"),
        ("Engr. Bilal Ahmed", "Bilal"),
        ("Syed Ali Raza", "Ali"),
        ("MRS. Nadia Khan", "Nadia"),
        ("Nadia Khan", "Nadia"),
        ("Malik Riaz", "Malik"),  # not a title here: never guessed
        ("Dr.", "Dr."),  # nothing but a title: shown whole
    ],
)
def test_the_short_name_skips_honorifics(full_name, short):
    assert User(email="x@example.pk", full_name=full_name).get_short_name() == short


def test_without_a_name_the_email_is_used():
    assert User(email="farah@example.pk", full_name="").get_short_name() == "farah@example.pk"
