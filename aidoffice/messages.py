"""Chinese wording of the core's typed problems, in one place for the CLI and the GUI."""

from __future__ import annotations

from aidoffice.domain.idnumber import IdProblem, InvalidIdNumber
from aidoffice.domain.text import shorten


def id_problem(exc: InvalidIdNumber) -> str:
    v = exc.value
    match exc.problem:
        case IdProblem.EMPTY:
            return "不能为空"
        case IdProblem.FIRST_GENERATION:
            return f"“{v}”是第一代15位身份证号，请换成18位号码"
        case IdProblem.LENGTH:
            return f"应为18位，“{shorten(v)}”是 {len(v)} 位，请核对是否漏抄或多抄"
        case IdProblem.CHARACTERS:
            return f"“{shorten(v)}”含有非法字符：前17位只能是数字，最后一位可以是数字或 X"
        case IdProblem.REGION:
            return f"前两位“{v[:2]}”不是有效的省级行政区划代码"
        case IdProblem.BIRTH_DATE:
            return f"第7—14位的出生日期“{v[6:14]}”不是有效日期"
        case IdProblem.FUTURE_BIRTH:
            return f"第7—14位的出生日期“{v[6:14]}”晚于今天"
        case IdProblem.CHECK_DIGIT:
            return (
                f"校验位不对：按前17位，第18位应为“{exc.expected_check}”，而不是“{v[17]}”，请核对号码是否抄错"
            )
    return "无效"


# ---- import wording shared by every kind of file ----------------------------------------------------


def id_stored_as_number(shown: str) -> str:
    """An ID that Excel turned into a number (its last digits are gone), and nothing to recover it."""
    return (
        f"身份证件号被 Excel 存成了数字（{shown}），末几位已丢失，无法恢复。请在原表中把该列设为“文本”格式，"
        "重新填写完整的18位证件号后再导入（名单是别的部门发来的，请向对方要一份证件号为文本格式的表）"
    )


def id_recovered_from_student_no(shown: str, recovered: str) -> str:
    """An ID that Excel turned into a number, recovered from the G + ID 学籍号 of the same row."""
    return f"Excel 把身份证件号存成了数字（{shown}），末几位已丢失；已按全国学籍号恢复为 {recovered}"


def id_upgraded_from_student_no(old: str, new: str) -> str:
    return (
        f"身份证件号 {old} 是第一代15位号码；全国学籍号中的18位号码 {new} 出生日期和顺序码与它相同，"
        f"已改用 {new}"
    )


def excel_error_cell(code: str) -> str:
    return f"单元格是 Excel 错误值 {code}，请在原表中改正"


def repeated_in_file(what: str, key: str, rows: list[int]) -> str:
    """The same key on several rows of one file: how many times, and every row."""
    shown = "、".join(str(r) for r in rows[:20]) + ("……" if len(rows) > 20 else "")
    return f"{what} {shorten(key)} 在本文件中出现了 {len(rows)} 次（第 {shown} 行）"


def too_long(value: str, limit: int, stored: bool = True) -> str:
    if stored:
        return f"超过台账能保存的 {limit} 字：“{shorten(value)}”"
    return f"过长，不是有效的内容（最多 {limit} 字）：“{shorten(value)}”"
