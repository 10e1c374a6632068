"""Money as Decimal with two places (an annual 625 splits into two terms of 312.50), and 大写."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class InvalidAmount(ValueError):
    pass


def parse_amount(value: object) -> Decimal:
    """'1,250', '1250元', '￥312.5', 312.5 → Decimal('312.50'). Floats go through str() to avoid
    binary noise (312.49999…)."""
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, bool) or value is None:
        raise InvalidAmount(repr(value))
    elif isinstance(value, int | float):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace("￥", "").replace("¥", "")
        text = text.removesuffix("元").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise InvalidAmount(str(value)) from None
    if not amount.is_finite():
        raise InvalidAmount(str(value))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


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
