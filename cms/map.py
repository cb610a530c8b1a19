"""A static map of the directory's spaces: an SVG drawn on the server, no tiles and no script.

Positions are projected equirectangularly over Punjab's bounding box (the same bounds a Space's
coordinates are validated against), with the division headquarters as landmarks. The map is a
picture for sighted users; the list beside it carries the same positions as text.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from spaces.models import PUNJAB_LAT, PUNJAB_LON

SCALE = 100  # SVG units per degree of latitude
# A degree of longitude is shorter than a degree of latitude; at Punjab's mid-latitude by this much.
X_FACTOR = math.cos(math.radians(float(PUNJAB_LAT[0] + PUNJAB_LAT[1]) / 2))
WIDTH = round(float(PUNJAB_LON[1] - PUNJAB_LON[0]) * X_FACTOR * SCALE)
HEIGHT = round(float(PUNJAB_LAT[1] - PUNJAB_LAT[0]) * SCALE)

# Division headquarters (city centres), drawn as landmarks.
LANDMARKS = [
    ("Lahore", "31.5204", "74.3587"),
    ("Gujranwala", "32.1877", "74.1945"),
    ("Gujrat", "32.5731", "74.1005"),
    ("Rawalpindi", "33.5651", "73.0169"),
    ("Sargodha", "32.0836", "72.6711"),
    ("Faisalabad", "31.4504", "73.1350"),
    ("Sahiwal", "30.6682", "73.1114"),
    ("Multan", "30.1575", "71.5249"),
    ("Bahawalpur", "29.3956", "71.6836"),
    ("Dera Ghazi Khan", "30.0489", "70.6455"),
]


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    label: str
    code: str = ""


def project(latitude, longitude) -> tuple[int, int]:
    x = float(Decimal(longitude) - PUNJAB_LON[0]) * X_FACTOR * SCALE
    y = float(PUNJAB_LAT[1] - Decimal(latitude)) * SCALE
    return round(x), round(y)


def map_points(spaces) -> dict:
    points = [Point(*project(s.latitude, s.longitude), label=s.name, code=s.code) for s in spaces]
    landmarks = [Point(*project(lat, lon), label=name) for name, lat, lon in LANDMARKS]
    return {"width": WIDTH, "height": HEIGHT, "spaces": points, "landmarks": landmarks}
