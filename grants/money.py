"""Money for the grants app: the project's one parser and formatter live in core.money."""

from core.money import MONEY_CEILING, PAISA, parse_money, percent, pkr, pkr_each

__all__ = ["MONEY_CEILING", "PAISA", "parse_money", "percent", "pkr", "pkr_each"]
