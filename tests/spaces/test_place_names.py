"""Punjab's divisions and districts have Urdu names: the stored value is the English name, the label is
translated (issue #17 item 13)."""

import pytest
from django.utils import translation

from spaces.geography import DISTRICT_CHOICES, DIVISION_CHOICES, DIVISION_OF, PLACE_LABELS, place_label
from tests.factories import SpaceFactory


def _urdu(text: str) -> bool:
    return bool(text) and all(not ("A" <= ch <= "z") for ch in text)


def test_every_division_and_district_has_an_urdu_name():
    names = set(DIVISION_OF) | set(DIVISION_OF.values())
    assert names == set(PLACE_LABELS) and len(DIVISION_OF) == 41
    with translation.override("ur"):
        shown = {name: str(place_label(name)) for name in names}
    assert [name for name, urdu in shown.items() if not _urdu(urdu)] == []
    assert len(set(shown.values())) == 41  # a division shares only its chief district's name
    assert shown["Lahore"] == "لاہور" and shown["Faisalabad"] == "فیصل آباد"
    assert shown["Dera Ghazi Khan"] == "ڈیرہ غازی خان" and shown["Rawalpindi"] == "راولپنڈی"
    with translation.override("en"):
        assert str(place_label("Toba Tek Singh")) == "Toba Tek Singh"
    assert place_label("") == "" and place_label("Karachi") == "Karachi"


def test_choices_keep_english_values_and_translate_labels():
    assert [value for value, _label in DIVISION_CHOICES][:2] == ["Lahore", "Gujranwala"]
    with translation.override("ur"):
        assert str(dict(DIVISION_CHOICES)["Multan"]) == "ملتان"
        group, districts = DISTRICT_CHOICES[0]
        assert str(group) == "لاہور" and ("Kasur", "قصور") in [(v, str(label)) for v, label in districts]


@pytest.mark.django_db
def test_a_space_shows_its_district_in_the_active_language():
    space = SpaceFactory(division="Sahiwal", district="Okara")
    with translation.override("ur"):
        assert space.get_district_display() == "اوکاڑہ" and space.get_division_display() == "ساہیوال"
        assert str(space) == f"{space.name} (اوکاڑہ)"
    with translation.override("en"):
        assert space.get_district_display() == "Okara"


@pytest.mark.django_db
def test_the_operators_space_page_names_its_places_in_urdu(client):
    from django.urls import reverse

    from accounts import roles
    from tests.grants.factories import UserFactory

    member = UserFactory(roles=[roles.OPERATOR])
    space = SpaceFactory(division="Multan", district="Vehari")
    space.operator.members.add(member)
    client.force_login(member)
    with translation.override("ur"):
        url = reverse("portal:space_detail", args=[space.pk])
    html = client.get(url).content.decode()
    assert "وہاڑی" in html and "ملتان" in html
    assert ">Vehari<" not in html
