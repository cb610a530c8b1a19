"""Each rule of matches.rules run against the registry, two ways:

- the sweep (`sweep_<rule>`): set-based over everything. Exact rules are a GROUP BY on the identifier
  (only the duplicated values come back, then their rows); similarity rules are blocked first (legal
  names by district, positions by a grid of 25 m cells, addresses by district and normal form) and
  compared only inside a block. No rule compares all pairs.
- the checks (`for_operator`, `for_application`, `for_tranche`, `for_claim`): indexed look-ups for the
  records one action touches, a few queries each.

Both return Candidates; matches.services.checks stores them (a pair found twice is one match).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, F, IntegerField, Model, Q, Value
from rapidfuzz import fuzz, process

from grants.models import Application, ApplicationDocument, Tranche, TrancheEvidence, UtilityClaim, UtilityConnection
from spaces.models import Operator, Space

from .rules import (
    GRID_LAT,
    GRID_LON,
    NAME_SIMILARITY,
    OPERATOR_FIELDS,
    SPACE_DISTANCE_M,
    NameForms,
    cached_name_forms,
    is_placeholder,
    name_forms,
    normalise_address,
)

CHUNK = 500  # values per IN (...) list: well under SQLite's and PostgreSQL's limits
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Side:
    type_id: int
    obj_id: int
    operator_id: int

    @property
    def key(self) -> tuple[int, int]:
        return (self.type_id, self.obj_id)


@dataclass
class Candidate:
    rule: str
    a: Side
    b: Side
    value: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def ordered(self) -> tuple[Side, Side]:
        return (self.a, self.b) if self.a.key < self.b.key else (self.b, self.a)

    @property
    def key(self) -> tuple[str, int, int, int, int]:
        left, right = self.ordered()
        return (self.rule, left.type_id, left.obj_id, right.type_id, right.obj_id)


# The models whose records a match pairs: their content types are read in one query, then cached.
RECORD_MODELS: tuple[type[Model], ...] = (
    Operator,
    Space,
    UtilityConnection,
    ApplicationDocument,
    TrancheEvidence,
    UtilityClaim,
)


def type_id(model: type[Model]) -> int:
    # Django caches content types per process: the first call reads those of every record model at once.
    return ContentType.objects.get_for_models(model, *RECORD_MODELS)[model].pk


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _pairs(rule: str, groups: dict[Any, list[tuple[Side, str]]], *, same_operator: bool = False) -> Iterator[Candidate]:
    """Every pair inside each group whose operators differ (or, for a rule about one operator's own
    records, any pair)."""
    for members in groups.values():
        for (a, value), (b, _value) in combinations(members, 2):
            if a.key != b.key and (same_operator or a.operator_id != b.operator_id):
                yield Candidate(rule, a, b, value)


# --- operators' own identifiers (principal CNIC, IBAN, SECP number, mobile) -------------------------


def sweep_operator_field(rule: str) -> Iterator[Candidate]:
    column = OPERATOR_FIELDS[rule]
    duplicated = [
        value
        for value in Operator.objects.exclude(**{column: ""})
        .values(column)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list(column, flat=True)
        if not is_placeholder(value)
    ]
    operator_type = type_id(Operator)
    groups: dict[str, list[tuple[Side, str]]] = defaultdict(list)
    for chunk in _chunks(duplicated):
        for pk, value in Operator.objects.filter(**{f"{column}__in": chunk}).values_list("id", column):
            groups[value].append((Side(operator_type, pk, pk), value))
    yield from _pairs(rule, groups)


def sweep_member_email() -> Iterator[Candidate]:
    memberships: Any = Operator.members.through.objects  # the stubs type the auto-created through loosely
    shared = list(
        memberships.values("user_id")
        .annotate(n=Count("operator_id", distinct=True))
        .filter(n__gt=1)
        .values_list("user_id", flat=True)
    )
    yield from _member_pairs(shared)


def _member_pairs(user_ids: list[int]) -> Iterator[Candidate]:
    through = Operator.members.through
    operator_type = type_id(Operator)
    groups: dict[str, list[tuple[Side, str]]] = defaultdict(list)
    for chunk in _chunks(user_ids):
        rows = through.objects.filter(user_id__in=chunk).values_list("operator_id", "user__email")
        for operator_id, email in rows:
            email = (email or "").strip().lower()
            if not is_placeholder(email.split("@")[0]):
                groups[email].append((Side(operator_type, operator_id, operator_id), email))
    yield from _pairs("member_email", groups)


# --- electricity connections ------------------------------------------------------------------------


def _connection_rows(q: Q) -> Iterator[tuple[int, str, str, int]]:
    yield from UtilityConnection.objects.filter(q).values_list(
        "id", "disco", "bill_reference", "application__operator_id"
    )


def _connection_pairs(rows: Iterable[tuple[int, str, str, int]]) -> Iterator[Candidate]:
    connection_type = type_id(UtilityConnection)
    groups: dict[tuple[str, str], list[tuple[Side, str]]] = defaultdict(list)
    for pk, disco, reference, operator_id in rows:
        if not is_placeholder(reference):
            groups[(disco, reference)].append((Side(connection_type, pk, operator_id), f"{disco} {reference}"))
    yield from _pairs("connection", groups)


def sweep_connection() -> Iterator[Candidate]:
    duplicated = list(
        UtilityConnection.objects.values("disco", "bill_reference")
        .annotate(n=Count("application__operator_id", distinct=True))
        .filter(n__gt=1)
        .values_list("disco", "bill_reference")
    )
    rows: list[tuple[int, str, str, int]] = []
    for chunk in _chunks(duplicated):
        q = Q()
        for disco, reference in chunk:
            q |= Q(disco=disco, bill_reference=reference)
        rows.extend(_connection_rows(q))
    yield from _connection_pairs(rows)


# --- stored files (application documents, tranche evidence, bills) ---------------------------------

# Each stored-file model with the path from a row to the operator whose case it is on.
FILE_MODELS: tuple[tuple[type[Model], str], ...] = (
    (ApplicationDocument, "application__operator_id"),
    (TrancheEvidence, "tranche__award__application__operator_id"),
    (UtilityClaim, "connection__application__operator_id"),
)


def _file_rows(q: Q) -> list[tuple[int, int, str, int]]:
    """(content type, id, sha256, operator) of every stored file matching `q`, in one UNION ALL query."""
    parts = [
        model._default_manager.filter(q)
        .annotate(file_type=Value(type_id(model), output_field=IntegerField()), file_operator=F(path))
        .values_list("file_type", "pk", "sha256", "file_operator")
        .order_by()
        for model, path in FILE_MODELS
    ]
    first, *rest = parts
    return list(first.union(*rest, all=True))


def _file_pairs(rows: Iterable[tuple[int, int, str, int]]) -> Iterator[Candidate]:
    groups: dict[str, list[tuple[Side, str]]] = defaultdict(list)
    for file_type, pk, digest, operator_id in rows:
        if digest and not is_placeholder(digest):
            groups[digest].append((Side(file_type, pk, operator_id), digest))
    yield from _pairs("file", groups)


def _duplicated_digests() -> list[str]:
    """SHA-256 digests stored on cases of two or more operators: one GROUP BY over the three tables."""
    selects = []
    for model, path in FILE_MODELS:
        qs = model._default_manager.exclude(sha256="").annotate(file_operator=F(path))
        sql, params = qs.values_list("sha256", "file_operator").order_by().query.sql_with_params()
        selects.append((sql, params))
    # Built from the ORM's own SQL; every value is a parameter.
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) part{n}" for n, (sql, _p) in enumerate(selects))  # noqa: S608
    params = [value for _sql, p in selects for value in p]
    query = (
        f"SELECT files.sha256 FROM ({union}) files GROUP BY files.sha256 HAVING COUNT(DISTINCT files.file_operator) > 1"  # noqa: S608 - built from the ORM's own SQL, values as parameters
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [row[0] for row in cursor.fetchall()]


def sweep_file() -> Iterator[Candidate]:
    rows: list[tuple[int, int, str, int]] = []
    for chunk in _chunks(_duplicated_digests()):
        rows.extend(_file_rows(Q(sha256__in=chunk)))
    yield from _file_pairs(rows)


# --- the same bill in two months --------------------------------------------------------------------


def _bill_pairs(rows: Iterable[tuple[int, int, Any, int, Any, int]]) -> Iterator[Candidate]:
    claim_type = type_id(UtilityClaim)
    groups: dict[tuple[int, Any, int], list[tuple[int, Any, int]]] = defaultdict(list)
    for pk, connection_id, amount, units, month, operator_id in rows:
        groups[(connection_id, amount, units)].append((pk, month, operator_id))
    for (_connection, amount, units), members in groups.items():
        for (a, month_a, op_a), (b, month_b, op_b) in combinations(members, 2):
            if month_a != month_b:
                yield Candidate(
                    "repeated_bill",
                    Side(claim_type, a, op_a),
                    Side(claim_type, b, op_b),
                    f"PKR {amount:,.2f}, {units} kWh",
                    {"months": sorted([month_a.isoformat(), month_b.isoformat()])},
                )


def _bill_rows(q: Q) -> Iterator[tuple[int, int, Any, int, Any, int]]:
    yield from (
        UtilityClaim.objects.filter(q)
        .exclude(state=UtilityClaim.State.REJECTED)
        .values_list(
            "id", "connection_id", "bill_amount", "units", "billing_month", "connection__application__operator_id"
        )
    )


def sweep_repeated_bill() -> Iterator[Candidate]:
    repeated = list(
        UtilityClaim.objects.exclude(state=UtilityClaim.State.REJECTED)
        .values("connection_id", "bill_amount", "units")
        .annotate(months=Count("billing_month", distinct=True))
        .filter(months__gt=1)
        .values_list("connection_id", flat=True)
    )
    rows: list[tuple[int, int, Any, int, Any, int]] = []
    for chunk in _chunks(sorted(set(repeated))):
        rows.extend(_bill_rows(Q(connection_id__in=chunk)))
    yield from _bill_pairs(rows)


# --- legal names alike, in one district --------------------------------------------------------------


NameBlock = dict[int, tuple[NameForms, str]]  # operator id -> (its name's forms, its name)


# fuzz.ratio of strings of lengths a <= b is at most 200a / (a + b): at NAME_SIMILARITY or more only if
# b <= a * (200 - NAME_SIMILARITY) / NAME_SIMILARITY. The sweep compares a name with the names of the
# lengths that could reach the threshold only (the block sorted by length).
_LONGEST = (200 - NAME_SIMILARITY) / NAME_SIMILARITY


def _name_pairs(block: NameBlock, district: str, only: set[int] | None = None) -> Iterator[Candidate]:
    """Compare the names of one district's operators (rapidfuzz, in C), only those with the same numbers;
    `only`: compare just these operators with the rest (a check), otherwise every pair once (the
    sweep). A pair's score is the better of its words' and its letters' (rules.NAME_SIMILARITY)."""
    operator_type = type_id(Operator)
    by_numbers: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for pk, (forms, _name) in block.items():
        if forms.words:
            by_numbers[forms.numbers].append(pk)
    for ids in by_numbers.values():
        if len(ids) < 2:
            continue
        scores: dict[tuple[int, int], float] = {}
        for form in ("words", "letters"):
            order = sorted(ids, key=lambda pk: len(getattr(block[pk][0], form)))  # noqa: B023 - used here
            texts = [getattr(block[pk][0], form) for pk in order]
            lengths = [len(text) for text in texts]
            for i, pk in enumerate(order):
                if only is not None and pk not in only:
                    continue
                if only is not None:  # a check: this name against all the others
                    start, stop = 0, len(texts)
                else:  # the sweep: against the longer names that could still reach the threshold
                    start, stop = i + 1, bisect_right(lengths, lengths[i] * _LONGEST + 1e-9)
                if stop <= start:
                    continue
                hits = process.extract(
                    texts[i], texts[start:stop], scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY, limit=None
                )
                for _choice, score, j in hits:
                    other = order[start + j]
                    if other != pk:
                        pair = (min(pk, other), max(pk, other))
                        scores[pair] = max(scores.get(pair, 0.0), float(score))
        for (a, b), score in scores.items():
            yield Candidate(
                "legal_name",
                Side(operator_type, a, a),
                Side(operator_type, b, b),
                f"{block[a][1]} ~ {block[b][1]}"[:300],
                {"score": round(score, 1), "district": district},
            )


def sweep_legal_name() -> Iterator[Candidate]:
    blocks: dict[str, NameBlock] = defaultdict(dict)
    normal: dict[int, tuple[NameForms, str]] = {}
    rows = Space.objects.values_list("district", "operator_id", "operator__legal_name").distinct().order_by()
    for district, operator_id, name in rows.iterator(chunk_size=20_000):
        if operator_id not in normal:
            normal[operator_id] = (name_forms(name), name)
        blocks[district][operator_id] = normal[operator_id]
    seen: set[tuple[str, int, int, int, int]] = set()
    for district, block in sorted(blocks.items()):
        for candidate in _name_pairs(block, district):
            if candidate.key not in seen:  # two operators met in two districts: one match
                seen.add(candidate.key)
                yield candidate


# --- spaces at one spot or one address --------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Metres between two points (equirectangular: exact enough within a few hundred metres)."""
    phi = math.radians((lat1 + lat2) / 2)
    dx = math.radians(lon2 - lon1) * math.cos(phi)
    dy = math.radians(lat2 - lat1)
    return EARTH_RADIUS_M * math.hypot(dx, dy)


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / GRID_LAT), math.floor(lon / GRID_LON))


SpaceRow = tuple[int, int, float, float]


def _position_pair(a: SpaceRow, b: SpaceRow, space_type: int) -> Candidate | None:
    if a[1] == b[1] or a[0] == b[0]:
        return None
    metres = distance_m(a[2], a[3], b[2], b[3])
    if metres > SPACE_DISTANCE_M:
        return None
    return Candidate(
        "space_position",
        Side(space_type, a[0], a[1]),
        Side(space_type, b[0], b[1]),
        f"{a[2]:.6f}, {a[3]:.6f}",
        {"distance_m": round(metres, 1)},
    )


# Half of the 3 x 3 neighbourhood, so each pair of cells is visited once.
_FORWARD = ((0, 1), (1, -1), (1, 0), (1, 1))


def sweep_space_position() -> Iterator[Candidate]:
    space_type = type_id(Space)
    grid: dict[tuple[int, int], list[SpaceRow]] = defaultdict(list)
    for pk, operator_id, lat, lon in (
        Space.objects.values_list("id", "operator_id", "latitude", "longitude").order_by().iterator(chunk_size=20_000)
    ):
        row = (pk, operator_id, float(lat), float(lon))
        grid[_cell(row[2], row[3])].append(row)
    for (cy, cx), here in grid.items():
        for a, b in combinations(here, 2):
            if (found := _position_pair(a, b, space_type)) is not None:
                yield found
        for dy, dx in _FORWARD:
            for b in grid.get((cy + dy, cx + dx), ()):
                for a in here:
                    if (found := _position_pair(a, b, space_type)) is not None:
                        yield found


def sweep_space_address() -> Iterator[Candidate]:
    space_type = type_id(Space)
    groups: dict[tuple[str, str], list[tuple[Side, str]]] = defaultdict(list)
    rows = Space.objects.values_list("id", "operator_id", "district", "address").order_by()
    for pk, operator_id, district, address in rows.iterator(chunk_size=20_000):
        normal = normalise_address(address)
        if normal:
            groups[(district, normal)].append((Side(space_type, pk, operator_id), normal))
    for key in [key for key, members in groups.items() if len(members) < 2]:
        del groups[key]
    yield from _pairs("space_address", groups)


SWEEPS = {
    "principal_cnic": lambda: sweep_operator_field("principal_cnic"),
    "iban": lambda: sweep_operator_field("iban"),
    "secp": lambda: sweep_operator_field("secp"),
    "mobile": lambda: sweep_operator_field("mobile"),
    "member_email": sweep_member_email,
    "connection": sweep_connection,
    "file": sweep_file,
    "legal_name": sweep_legal_name,
    "space_position": sweep_space_position,
    "space_address": sweep_space_address,
    "repeated_bill": sweep_repeated_bill,
}


# --- the checks: the records one action touches ------------------------------------------------------


def for_operator(operator: Operator, *, names: bool = True) -> list[Candidate]:
    """The company's identifiers, its people, its spaces and (`names`) its legal name against the
    registry (six queries, four without the name)."""
    found: list[Candidate] = []
    operator_type = type_id(Operator)
    me = Side(operator_type, operator.pk, operator.pk)
    # 1. Any other operator sharing one of the identifiers (each column's index; one query).
    values = {
        rule: getattr(operator, column)
        for rule, column in OPERATOR_FIELDS.items()
        if not is_placeholder(getattr(operator, column))
    }
    if values:
        q = Q()
        for rule, value in values.items():
            q |= Q(**{OPERATOR_FIELDS[rule]: value})
        for row in Operator.objects.filter(q).exclude(pk=operator.pk).values("id", *OPERATOR_FIELDS.values()):
            for rule, value in values.items():
                if row[OPERATOR_FIELDS[rule]] == value:
                    found.append(Candidate(rule, me, Side(operator_type, row["id"], row["id"]), value))
    # 2. Its people acting for another operator too (one query).
    through = Operator.members.through
    shared = through.objects.filter(user_id__in=through.objects.filter(operator_id=operator.pk).values("user_id"))
    rows = [
        (Side(operator_type, op_id, op_id), (email or "").lower())
        for op_id, email in shared.values_list("operator_id", "user__email")
    ]
    groups: dict[str, list[tuple[Side, str]]] = defaultdict(list)
    for side, email in rows:
        groups[email].append((side, email))
    found.extend(c for c in _pairs("member_email", groups) if me in (c.a, c.b))
    # 3. Its spaces against their neighbours and the addresses of their districts; its name against
    # the companies of those districts.
    found.extend(_space_checks(operator, names=names))
    return found


_URDU_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _holds_number(normal_address: str) -> Q:
    """Addresses whose text holds the longest number of this normalised address, in any of the digits
    the normal form reads as 0-9: a prefilter (a number in the normal form is a run of digits in the
    raw address), so only a few addresses are normalised in Python."""
    number = max(re.findall(r"\d+", normal_address), key=len)
    return (
        Q(address__contains=number)
        | Q(address__contains=number.translate(_URDU_DIGITS))
        | Q(address__contains=number.translate(_ARABIC_DIGITS))
    )


def _space_checks(operator: Operator, *, names: bool = True) -> list[Candidate]:
    """The company's spaces against the registry: each against the spaces in a box of one grid cell
    around it (positions, in any district, as the sweep) and those of its district holding its
    address's number (addresses); with `names`, the company's legal name against the names of the
    companies with a space in one of its districts. Three queries, five with the names."""
    own = list(
        Space.objects.filter(operator_id=operator.pk)
        .order_by()
        .values_list("id", "district", "latitude", "longitude", "address")
    )
    if not own:
        return []
    found = _position_checks(operator, own) + _address_checks(operator, own)
    if names:
        found.extend(_name_checks(operator, sorted({row[1] for row in own})))
    return found


OwnSpace = tuple[int, str, Decimal, Decimal, str]


def _position_checks(operator: Operator, own: list[OwnSpace]) -> list[Candidate]:
    space_type = type_id(Space)
    lat_box, lon_box = Decimal(str(GRID_LAT)), Decimal(str(GRID_LON))
    near = Q()
    for _pk, _district, lat, lon, _address in own:
        near |= Q(latitude__range=(lat - lat_box, lat + lat_box), longitude__range=(lon - lon_box, lon + lon_box))
    found: list[Candidate] = []
    others = (
        Space.objects.filter(near)
        .exclude(operator_id=operator.pk)
        .order_by()
        .values_list("id", "operator_id", "latitude", "longitude")
    )
    for o_pk, o_op, o_lat, o_lon in others:
        for pk, _district, lat, lon, _address in own:
            pair = _position_pair(
                (pk, operator.pk, float(lat), float(lon)), (o_pk, o_op, float(o_lat), float(o_lon)), space_type
            )
            if pair is not None:
                found.append(pair)
    return found


def _address_checks(operator: Operator, own: list[OwnSpace]) -> list[Candidate]:
    space_type = type_id(Space)
    normals = {pk: normalise_address(address) for pk, _district, _lat, _lon, address in own}
    holding = Q()
    for pk, district, _lat, _lon, _address in own:
        if normals[pk]:
            holding |= Q(district=district) & _holds_number(normals[pk])
    if not holding:
        return []
    found: list[Candidate] = []
    # The index on (district, address, operator, id) answers this without reading the table.
    others = (
        Space.objects.filter(holding)
        .exclude(operator_id=operator.pk)
        .order_by()
        .values_list("id", "operator_id", "district", "address")
    )
    for o_pk, o_op, o_district, o_address in others:
        normal = normalise_address(o_address)
        for pk, district, _lat, _lon, _address in own:
            if normals[pk] and o_district == district and normal == normals[pk]:
                found.append(
                    Candidate("space_address", Side(space_type, pk, operator.pk), Side(space_type, o_pk, o_op), normal)
                )
    return found


def _name_checks(operator: Operator, districts: list[str]) -> list[Candidate]:
    """The company's legal name against every other company with a space in one of its districts."""
    by_district: dict[str, NameBlock] = defaultdict(dict)
    mine = operator.legal_name
    forms: dict[int, tuple[NameForms, str]] = {operator.pk: (cached_name_forms(mine), mine)}
    # Who has a space there (the district index alone), then their names by primary key: two queries,
    # as a join lets the planner read every company to hash them.
    present = list(
        Space.objects.filter(district__in=districts)
        .exclude(operator_id=operator.pk)
        .order_by()
        .values_list("district", "operator_id")
        .distinct()
    )
    names: dict[int, str] = {}
    ids = sorted({op_id for _district, op_id in present})
    for start in range(0, len(ids), 5000):
        names.update(Operator.objects.filter(pk__in=ids[start : start + 5000]).values_list("pk", "legal_name"))
    for district, op_id in present:
        if op_id not in forms:
            forms[op_id] = (cached_name_forms(names[op_id]), names[op_id])
        by_district[district][op_id] = forms[op_id]
    found: list[Candidate] = []
    seen: set[tuple[str, int, int, int, int]] = set()
    for district in districts:
        block = by_district[district]
        block[operator.pk] = forms[operator.pk]
        for candidate in _name_pairs(block, district, only={operator.pk}):
            if candidate.key not in seen:
                seen.add(candidate.key)
                found.append(candidate)
    return found


def for_application(application: Application) -> list[Candidate]:
    """The company's checks but its name, the enrolled connections and the documents of one
    application (seven queries). The legal name is compared at company verification (a new legal name
    sends the company back to it, spaces.services.operator_update) and in the nightly sweep: it is
    not a record the submit touches, and comparing it reads every company of the district."""
    found = for_operator(application.operator, names=False)
    # Connections: the application's own and every connection with one of their bill references.
    references = UtilityConnection.objects.filter(application_id=application.pk).values("bill_reference")
    rows = list(
        UtilityConnection.objects.filter(bill_reference__in=references).values_list(
            "id", "disco", "bill_reference", "application__operator_id", "application_id"
        )
    )
    own = {(disco, reference) for _pk, disco, reference, _op, app_id in rows if app_id == application.pk}
    if own:
        found.extend(
            c
            for c in _connection_pairs(row[:4] for row in rows if (row[1], row[2]) in own)
            if application.operator_id in (c.a.operator_id, c.b.operator_id)
        )
    # Documents: every stored file with the SHA-256 of one of the application's documents.
    digests = ApplicationDocument.objects.filter(application_id=application.pk).exclude(sha256="").values("sha256")
    found.extend(_files_matching(_file_rows(Q(sha256__in=digests)), application.operator_id))
    return found


def _files_matching(rows: list[tuple[int, int, str, int]], operator_id: int) -> list[Candidate]:
    if all(row[3] == operator_id for row in rows):
        return []
    return [c for c in _file_pairs(rows) if operator_id in (c.a.operator_id, c.b.operator_id)]


def _files_touching(digests: list[str], operator_id: int) -> list[Candidate]:
    digests = [d for d in set(digests) if d and not is_placeholder(d)]
    if not digests:
        return []
    return _files_matching(_file_rows(Q(sha256__in=digests)), operator_id)


def for_tranche(tranche: Tranche) -> list[Candidate]:
    """The tranche's evidence files against every stored file (two queries)."""
    digests = list(TrancheEvidence.objects.filter(tranche_id=tranche.pk).values_list("sha256", flat=True))
    operator_id = Application.objects.filter(award__tranches=tranche).values_list("operator_id", flat=True).first()
    return _files_touching(digests, int(operator_id or 0))


def for_claim(claim: UtilityClaim) -> list[Candidate]:
    """A utility claim: its bill file, the same bill figures in another month, and its connection
    enrolled by another operator (four queries)."""
    connection_id, disco, reference, operator_id = next(_connection_rows(Q(pk=claim.connection_id)))
    found = _files_touching([claim.sha256], operator_id)
    rows = list(_bill_rows(Q(connection_id=claim.connection_id, bill_amount=claim.bill_amount, units=claim.units)))
    found.extend(c for c in _bill_pairs(rows) if claim.pk in (c.a.obj_id, c.b.obj_id))
    others = [row for row in _connection_rows(Q(disco=disco, bill_reference=reference)) if row[3] != operator_id]
    if others:
        found.extend(_connection_pairs([(connection_id, disco, reference, operator_id), *others]))
    return found
