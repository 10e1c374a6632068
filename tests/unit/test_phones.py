"""Phone numbers of the people responsible for a child (and of guardians): a mainland mobile or a
landline with its area code, an extension allowed; anything else is refused with what is wrong."""

from __future__ import annotations

import pytest

from aidoffice.domain.phones import is_phone, phone_problem


@pytest.mark.parametrize(
    "text",
    ["13912345678", "139 1234 5678", "１３９１２３４５６７８", "0312-7221234", "03127221234", "010-62751234",
     "0312-7221234-123", "0312-7221234转8012", "", None],
)  # fmt: skip
def test_mobiles_landlines_with_area_code_extensions_and_no_phone_are_accepted(text):
    assert phone_problem(text) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1391234567", "应为 11 位，这里是 10 位"),
        ("139123456789", "应为 11 位，这里是 12 位"),
        ("12912345678", "第二位应为 3—9"),
        ("7221234", "缺少区号"),
        ("0312-722", "不是有效的"),
        ("李老师", "不是电话号码"),
        ("13912345678；13800001111", "不是有效的"),
        ("0312-7221234-1234567", "不是有效的"),
    ],
)
def test_a_wrong_phone_says_what_is_wrong_and_how_to_write_it(text, why):
    message = phone_problem(text)
    assert message is not None and why in message and "0312-7221234" in message


def test_the_student_ledger_keeps_refusing_an_extension():
    """The 学籍 guardian phone is a column the national system checks: no extension there, as before."""
    assert is_phone("0312-7221234") and not is_phone("0312-7221234-123", extension=False)
