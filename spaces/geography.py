"""Punjab's 10 divisions and 41 districts (after the 2024 reorganisation).

Source: the program's reference data (punjab_districts.csv), written into the project so that it
needs nothing outside the repository at run time.
"""

from django.db.models import Q

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

DIVISION_CHOICES = [(name, name) for name in PUNJAB_DIVISIONS]
DISTRICT_CHOICES = [(division, [(d, d) for d in districts]) for division, districts in PUNJAB_DIVISIONS.items()]


def district_in_division_q(division_field: str = "division", district_field: str = "district") -> Q:
    """A Q object true only for a (division, district) pair that exists: used as a CheckConstraint."""
    q = Q()
    for district, division in DIVISION_OF.items():
        q |= Q(**{division_field: division, district_field: district})
    return q
