"""Money as Decimal with two places (an annual 625 splits into two terms of 312.50), and 大写."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class InvalidAmount(ValueError):
    pass


# What the database column holds (12 digits, two of them after the point); far above any aid paid
# (the award import refuses amounts above the policy's own standard long before this).
MAX_AMOUNT = Decimal("10000000000")


def _shown(value: object) -> str:
    try:
        return str(value)[:40]
    except ValueError:  # an int too long for str() (Python limits it to 4,300 digits)
        return "（位数过多的数字）"


def parse_amount(value: object) -> Decimal:
    """'1,250', '1250元', '￥312.5', 312.5 → Decimal('312.50'). Floats go through str() to avoid
    binary noise (312.49999…). Raises InvalidAmount, and nothing else, for anything that is not a
    finite amount below MAX_AMOUNT in absolute value (1e308, inf, nan, a 40-digit number)."""
    try:
        if isinstance(value, Decimal):
            amount = value
        elif isinstance(value, bool) or value is None:
            raise InvalidAmount(repr(value))
        elif isinstance(value, int | float):
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            text = str(value).strip()
            if len(text) > 40:
                raise InvalidAmount(text[:40])
            text = text.replace(",", "").replace("，", "").replace("￥", "").replace("¥", "")
            text = text.removesuffix("元").strip()
            amount = Decimal(text)
        if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
            raise InvalidAmount(_shown(value))
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidAmount:
        raise
    except (InvalidOperation, ValueError, TypeError, OverflowError, ArithmeticError):
        raise InvalidAmount(_shown(value)) from None


def format_amount(amount: Decimal) -> str:
    """1250 → '1,250.00'."""
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def to_upper(amount: Decimal) -> str:
    """The amount in capital numerals as on a receipt: 312.50 → 叁佰壹拾贰元伍角, 1250 → 壹仟贰佰伍拾元整."""
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        return "负" + to_upper(-amount)
    if amount == 0:
        return "零元整"
    import cn2an  # 0.2 s to import; only letters and rosters need it

    return cn2an.an2cn(format(amount, "f"), "rmb")


def split_annual(annual: Decimal, terms: int = 2) -> Decimal:
    """The per-term amount of an annual standard paid in `terms` instalments."""
    return (annual / terms).quantize(CENT, rounding=ROUND_HALF_UP)
