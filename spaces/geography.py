"""Punjab's 10 divisions and 41 districts (after the 2024 reorganisation).

Source: the program's reference data (punjab_districts.csv), written into the project so that it
needs nothing outside the repository at run time.
"""

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PUNJAB_DIVISIONS: dict[str, tuple[str, ...]] = {
    "Lahore": ("Lahore", "Kasur", "Sheikhupura", "Nankana Sahib"),
    "Gujranwala": ("Gujranwala", "Sialkot", "Narowal"),
    "Gujrat": ("Gujrat", "Hafizabad", "Mandi Bahauddin", "Wazirabad"),
    "Rawalpindi": ("Rawalpindi", "Murree", "Chakwal", "Attock", "Jhelum", "Talagang"),
    "Faisalabad": ("Faisalabad", "Jhang", "Chiniot", "Toba Tek Singh"),
    "Multan": ("Multan", "Lodhran", "Vehari", "Khanewal"),
    "Sahiwal": ("Sahiwal", "Pakpattan", "Okara"),
    "Bahawalpur": ("Bahawalpur", "Bahawalnagar", "Rahim Yar Khan"),
    "Dera Ghazi Khan": (
        "Dera Ghazi Khan",
        "Rajanpur",
        "Layyah",
        "Muzaffargarh",
        "Taunsa",
        "Kot Addu",
    ),
    "Sargodha": ("Sargodha", "Khushab", "Mianwali", "Bhakkar"),
}

DIVISION_OF: dict[str, str] = {
    district: division for division, districts in PUNJAB_DIVISIONS.items() for district in districts
}

# Each place's name as people read it: the English name is the stored value and the msgid, so that
# /ur/ pages show the Urdu name (locale/ur). A division shares its name with its chief district.
PLACE_LABELS: dict[str, Promise] = {
    "Lahore": _("Lahore"),
    "Kasur": _("Kasur"),
    "Sheikhupura": _("Sheikhupura"),
    "Nankana Sahib": _("Nankana Sahib"),
    "Gujranwala": _("Gujranwala"),
    "Sialkot": _("Sialkot"),
    "Narowal": _("Narowal"),
    "Gujrat": _("Gujrat"),
    "Hafizabad": _("Hafizabad"),
    "Mandi Bahauddin": _("Mandi Bahauddin"),
    "Wazirabad": _("Wazirabad"),
    "Rawalpindi": _("Rawalpindi"),
    "Murree": _("Murree"),
    "Chakwal": _("Chakwal"),
    "Attock": _("Attock"),
    "Jhelum": _("Jhelum"),
    "Talagang": _("Talagang"),
    "Faisalabad": _("Faisalabad"),
    "Jhang": _("Jhang"),
    "Chiniot": _("Chiniot"),
    "Toba Tek Singh": _("Toba Tek Singh"),
    "Multan": _("Multan"),
    "Lodhran": _("Lodhran"),
    "Vehari": _("Vehari"),
    "Khanewal": _("Khanewal"),
    "Sahiwal": _("Sahiwal"),
    "Pakpattan": _("Pakpattan"),
    "Okara": _("Okara"),
    "Bahawalpur": _("Bahawalpur"),
    "Bahawalnagar": _("Bahawalnagar"),
    "Rahim Yar Khan": _("Rahim Yar Khan"),
    "Dera Ghazi Khan": _("Dera Ghazi Khan"),
    "Rajanpur": _("Rajanpur"),
    "Layyah": _("Layyah"),
    "Muzaffargarh": _("Muzaffargarh"),
    "Taunsa": _("Taunsa"),
    "Kot Addu": _("Kot Addu"),
    "Sargodha": _("Sargodha"),
    "Khushab": _("Khushab"),
    "Mianwali": _("Mianwali"),
    "Bhakkar": _("Bhakkar"),
}


def place_label(name: str | None) -> str | Promise:
    """A division's or district's name in the active language; a name not in Punjab's list (or empty)
    as it is."""
    if not name:
        return ""
    return PLACE_LABELS.get(name, name)


DIVISION_CHOICES = [(name, PLACE_LABELS[name]) for name in PUNJAB_DIVISIONS]
DISTRICT_CHOICES = [
    (PLACE_LABELS[division], [(d, PLACE_LABELS[d]) for d in districts])
    for division, districts in PUNJAB_DIVISIONS.items()
]


def district_in_division_q(division_field: str = "division", district_field: str = "district") -> Q:
    """A Q object true only for a (division, district) pair that exists: used as a CheckConstraint."""
    q = Q()
    for district, division in DIVISION_OF.items():
        q |= Q(**{division_field: division, district_field: district})
    return q
