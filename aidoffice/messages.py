"""Chinese wording of the core's typed problems, in one place for the CLI and the GUI."""

from __future__ import annotations

from aidoffice.domain.idnumber import IdProblem, InvalidIdNumber


def id_problem(exc: InvalidIdNumber) -> str:
    v = exc.value
    match exc.problem:
        case IdProblem.EMPTY:
            return "不能为空"
        case IdProblem.LENGTH:
            return f"应为18位，“{v}”是 {len(v)} 位，请核对是否漏抄或多抄"
        case IdProblem.CHARACTERS:
            return f"“{v}”含有非法字符：前17位只能是数字，最后一位可以是数字或 X"
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
