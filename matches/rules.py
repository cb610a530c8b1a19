"""The match rules, in one table: what each compares, whether a hit is certain (`confirmed`: one exact
identifier shared by different operators) or a lead to check (`potential`), and the normal forms the
comparisons use. No queries here: matches.finders runs each rule (set-based in the sweep, indexed
look-ups for the records a check touches).

Identifiers are compared as the registry stores them, in their normal form (spaces.validators
normalises CNIC, IBAN and mobile when an operator is saved; SECP numbers are stripped and upper-cased;
sign-in emails are lower-cased by the user manager). Empty and placeholder values never match.

Not a rule: the NTN. `spaces.Operator.ntn` is unique in the database, so no two operators can hold the
same NTN; the constraint is the check.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class MatchKind(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed: the same identifier")
    POTENTIAL = "potential", _("Potential: alike, to be checked")


@dataclass(frozen=True)
class MatchRule:
    code: str
    kind: str
    label: str | Promise
    compares: str | Promise
    # The shared value names a person or an account (CNIC, IBAN, mobile, email): shown masked to
    # whoever may not see full identifiers (spaces.view_sensitive_identifiers).
    sensitive: bool = False


C, P = MatchKind.CONFIRMED, MatchKind.POTENTIAL

RULES: tuple[MatchRule, ...] = (
    MatchRule("principal_cnic", C, _("Same principal's CNIC"), _("the principal's CNIC of two operators"), True),
    MatchRule("iban", C, _("Same bank account (IBAN)"), _("the registered IBAN of two operators"), True),
    MatchRule("secp", C, _("Same SECP registration number"), _("the SECP number of two operators")),
    MatchRule("mobile", C, _("Same mobile number"), _("the contact mobile of two operators"), True),
    MatchRule(
        "member_email",
        C,
        _("Same member's sign-in email"),
        _("one person (sign-in email) acting for two operators"),
        True,
    ),
    MatchRule(
        "connection",
        C,
        _("Same electricity connection"),
        _("one DISCO and bill reference enrolled by two operators"),
    ),
    MatchRule(
        "file",
        C,
        _("Same file on two operators' cases"),
        _("an application document, tranche evidence or bill with the same SHA-256 on cases of two operators"),
    ),
    MatchRule(
        "legal_name",
        P,
        _("Similar legal names in one district"),
        _("legal names alike after normalisation, of operators with spaces in the same district"),
    ),
    MatchRule(
        "space_position",
        P,
        _("Spaces at one spot"),
        _("spaces of two operators within 25 metres of each other"),
    ),
    MatchRule(
        "space_address",
        P,
        _("Spaces at one address"),
        _("spaces of two operators with the same normalised address in one district"),
    ),
    MatchRule(
        "repeated_bill",
        P,
        _("Same bill in two months"),
        _("the same bill amount and units claimed for one connection in two different months"),
    ),
)
RULE_BY_CODE = {rule.code: rule for rule in RULES}
RULE_CHOICES = [(rule.code, rule.label) for rule in RULES]
CONFIRMED_RULES = frozenset(rule.code for rule in RULES if rule.kind == C)
# The operator's own columns each exact rule compares (the other exact rules read other tables).
OPERATOR_FIELDS = {
    "principal_cnic": "principal_cnic",
    "iban": "iban",
    "secp": "secp_registration_number",
    "mobile": "contact_mobile",
}

# Names: the better of two rapidfuzz ratios (0-100) of the normalised names, one on the words sorted
# (word order does not count: token_sort_ratio), one on the letters without spaces ("Co-Working",
# "Co Working" and "Coworking" are one word); at or above this it is a lead. Names whose numbers
# differ ("Hub 1", "Hub 2") are never alike: a number is how a firm tells its entities apart, and the
# same person behind both is what the identifier rules find.
NAME_SIMILARITY = 90
# Spaces: within this many metres of each other.
SPACE_DISTANCE_M = 25.0
# The grid the position rule blocks by: cells at least SPACE_DISTANCE_M wide everywhere in Punjab
# (latitude 27.5-34.5 degrees), so two spaces within 25 m are in the same or a neighbouring cell.
GRID_LAT = 0.000230  # about 25.6 m
GRID_LON = 0.000310  # 28.4 m at 34.5 degrees north, 30.6 m at 27.5

_EASTERN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Legal-form words that do not tell companies apart ("Pvt Ltd", "(Private) Limited", "SMC-Private").
_LEGAL_WORDS = frozenset({"pvt", "private", "ltd", "limited", "smc", "llc", "inc"})
_ADDRESS_WORDS = {"rd": "road", "st": "street", "blk": "block", "flr": "floor", "no": "", "number": "", "plot": ""}
_PLACEHOLDERS = frozenset({"NA", "NIL", "NONE", "NULL", "TBD", "UNKNOWN", "XXX", "TEST"})


def _plain(value: str) -> str:
    """Case-folded, Urdu and Arabic-Indic digits as 0-9, punctuation as spaces, spaces collapsed."""
    text = unicodedata.normalize("NFKC", str(value or "")).translate(_EASTERN_DIGITS).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def normalise_name(name: str) -> str:
    """A legal name compared with others: `_plain`, without the legal-form words."""
    return " ".join(token for token in _plain(name).split() if token not in _LEGAL_WORDS)


@dataclass(frozen=True)
class NameForms:
    """The forms a legal name is compared in: its words sorted, its letters without spaces, and its
    numbers (only names with the same numbers are compared)."""

    words: str
    letters: str
    numbers: tuple[str, ...]


_DIGIT_RUN = re.compile(r"\d+")


def name_forms(name: str) -> NameForms:
    tokens = [token for token in _plain(name).split() if token not in _LEGAL_WORDS]
    words = " ".join(sorted(tokens))
    letters = "".join(tokens)
    numbers = tuple(sorted(str(int(n)) for n in _DIGIT_RUN.findall(words))) if not letters.isalpha() else ()
    return NameForms(words, letters, numbers)


def normalise_address(address: str) -> str:
    """An address compared with others: `_plain`, common abbreviations spelt out, "No." and "Plot"
    dropped. Too short to tell a place ("Lahore") and it is no address: ""."""
    tokens = [_ADDRESS_WORDS.get(token, token) for token in _plain(address).split()]
    text = " ".join(token for token in tokens if token)
    return text if len(text) >= 12 and any(ch.isdigit() for ch in text) else ""


def is_placeholder(value: object) -> bool:
    """Empty, a stand-in word ("N/A", "none"), one character repeated, or a number whose digits are all
    the same (0000-0000000, PK00ABCD0000000000000000): never a match, even with itself."""
    compact = _NOT_WORD.sub("", str(value or "")).upper()
    if not compact or compact in _PLACEHOLDERS or len(set(compact)) == 1:
        return True
    digits = re.sub(r"\D", "", compact)
    # An IBAN's check digits differ from its account digits: judge the account part.
    body = digits[2:] if compact.startswith("PK") else digits
    return len(body) >= 6 and len(set(body)) == 1


# The checks compare a company with every company of its district: their names' forms are kept per
# process (a name's forms never change; 65,536 names hold in about 20 MB). The sweep, which reads each
# name once, uses name_forms itself.
cached_name_forms = functools.lru_cache(maxsize=65_536)(name_forms)
