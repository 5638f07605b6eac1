"""Currency conversion for price checks, with an approximate reference table."""

from __future__ import annotations

from screening.types import Money

# Approximate USD value of one unit of each currency. Price floors are coarse signals:
# a listing at 2% of a floor is suspicious whatever the day's rate.
USD_PER_UNIT: dict[str, float] = {
    "USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CHF": 1.13, "JPY": 0.0067, "CNY": 0.14,
    "HKD": 0.128, "KRW": 0.00073, "SGD": 0.74, "AUD": 0.66, "CAD": 0.73, "INR": 0.012,
    "BRL": 0.18, "MXN": 0.055, "RUB": 0.011, "TRY": 0.029, "AED": 0.27, "SEK": 0.095,
    "PLN": 0.25, "TWD": 0.031, "THB": 0.028, "VND": 0.00004, "IDR": 0.000062,
}


def to_usd(money: Money) -> float | None:
    """The amount in USD, or None for a currency the table does not know."""
    rate = USD_PER_UNIT.get(money.currency.upper())
    return None if rate is None else money.amount * rate
