"""Amounts in words for award letters, the way Pakistani official letters write them: the South Asian
system of lakh (1,00,000) and crore (1,00,00,000), in English, e.g.

    1,234,567.50  ->  "Rupees twelve lakh thirty-four thousand five hundred and sixty-seven and
                       paisa fifty only"

We chose lakh/crore over the international million because the Government of the Punjab's sanction
letters and cheques use it; the figures next to the words keep the international grouping (1,234,567)
that the reports use, so a reader can check one against the other either way.
"""

from decimal import Decimal

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_hundred(rest)
    text = f"{_ONES[hundreds]} hundred"
    return f"{text} and {_below_hundred(rest)}" if rest else text


def number_in_words(n: int) -> str:
    """A whole number ≥ 0 in words with crore, lakh and thousand: 12,34,56,789 ->
    'twelve crore thirty-four lakh fifty-six thousand seven hundred and eighty-nine'."""
    if n < 0:
        raise ValueError("Amounts in words are for amounts of zero or more.")
    if n == 0:
        return "zero"
    crore, n = divmod(n, 10_000_000)
    lakh, n = divmod(n, 100_000)
    thousand, rest = divmod(n, 1000)
    parts = []
    if crore:
        # 100 crore and more: the crore count is itself written in lakh/crore (an arab is 100 crore,
        # but official letters write "one hundred crore").
        parts.append(f"{number_in_words(crore)} crore")
    if lakh:
        parts.append(f"{_below_hundred(lakh)} lakh")
    if thousand:
        parts.append(f"{_below_hundred(thousand)} thousand")
    if rest:
        below = _below_thousand(rest)
        if parts and rest < 100:
            below = f"and {below}"
        parts.append(below)
    return " ".join(parts)


def amount_in_words(amount: Decimal) -> str:
    """'Rupees … only' for a PKR amount with at most two decimal places (paisa)."""
    amount = Decimal(amount)
    if amount < 0:
        raise ValueError("Amounts in words are for amounts of zero or more.")
    rupees = int(amount)
    paisa = int((amount - rupees) * 100)
    text = f"Rupees {number_in_words(rupees)}"
    if paisa:
        text += f" and paisa {number_in_words(paisa)}"
    return text + " only"
