"""The kinds of finding, in the clerk's words, and the office's editable rules
(`resources/reconcile/rules.toml`)."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from aidoffice.errors import AidofficeError
from aidoffice.paths import resources_dir


@dataclass(frozen=True)
class KindInfo:
    code: str
    label: str  # short, for tabs, filters and sheet names
    explain: str  # what it means and what to do, as the README and the workbook say it
    scope: str  # "term": per term; "year": per school year; "": whenever the data shows it; "visit": raised by hand from a contact (no run closes it)


KINDS: dict[str, KindInfo] = {
    k.code: k
    for k in (
        KindInfo(
            "MISSED_AID",
            "漏助",
            "符合资助条件（重点群体或学校认定），本学期却没有发放。先核对群体身份和学生状态，属实的补发。",
            "term",
        ),
        KindInfo(
            "UNSUPPORTED_AID",
            "疑似误助",
            "本学期发放了资助，但台账和名单中没有任何符合条件的群体记录（或身份已失效）。补齐依据或收回。",
            "term",
        ),
        KindInfo(
            "WRONG_VARIANT",
            "项目错配",
            "寄宿生补助发给了走读生（或反过来），或项目的学段与学生不符。核对住宿情况，改正发放项目。",
            "term",
        ),
        KindInfo(
            "AMOUNT_OFF_STANDARD",
            "金额不符",
            "发放金额与资助目录中该学期的标准不一致。核对标准和发放表。",
            "term",
        ),
        KindInfo(
            "AID_AFTER_LEAVING",
            "离校仍资助",
            "学生在本学期开始前已转出、辍学、毕业或休学，仍有本学期的资助。核实后收回或更正学籍状态。",
            "term",
        ),
        KindInfo(
            "DOUBLE_AID",
            "重复资助",
            "同一学生同一学期领取了同一类补助的两个项目（如寄宿生和走读生生活补助）。保留一项，收回另一项。",
            "term",
        ),
        KindInfo(
            "AID_OBJECTION",
            "家长有异议",
            "受助告知书的回执上家长勾选了“有异议”。联系家长，核实发放的项目和金额，更正或说明后销号。",
            "term",
        ),
        KindInfo(
            "ASSESSMENT_PENDING",
            "待认定",
            "家长在政策告知书回执上勾选了“符合、申请”，本学年还没有家庭经济困难认定结果。组织认定并录入结果"
            "（认定为“不困难”也要录入），录入后自动销号。",
            "year",
        ),
        KindInfo(
            "NOT_ENROLLED",
            "需核实去向",
            "服务村的户籍台账或名单上的学龄儿童，不在本校学籍台账中，也没有登记在外就读。核实在哪里上学并登记。",
            "year",
        ),
        KindInfo(
            "ID_TYPO_SUSPECT",
            "证件号疑似抄错",
            "姓名（或同音）与出生日期或所在村相同，证件号只差一位、相邻两位颠倒或只差校验位：很可能是同一人，"
            "有一处证件号抄错。以户口簿核对，更正错误的一方。",
            "",
        ),
        KindInfo(
            "NAME_MISMATCH",
            "姓名不一致",
            "同一证件号在不同台账或名单中的姓名不同。同音或只差一个字的多为抄错，排在前面；完全不同的要查证件号是否填错。",
            "",
        ),
        KindInfo(
            "DUPLICATE_ID",
            "证件号重复",
            "同一证件号在学籍台账、户籍台账或同一份名单中登记了两次。核实后删去或更正重复的一条。",
            "",
        ),
        KindInfo(
            "VISIT_NEED",
            "家访反映的需求",
            "家访或联系时家庭提出的需求（申请资助、办理证件、学习或生活困难等），由记录人转入问题清单。"
            "落实后写明结果并销号。",
            "visit",
        ),
        KindInfo(
            "NO_ID_NUMBER",
            "无证件号",
            "学生没有身份证件号（只有 J 或 L 开头的学籍号），比对时无法按证件号与户籍、名单对上。补登证件号。",
            "",
        ),
    )
}
ORDER = {code: i for i, code in enumerate(KINDS)}
AID_KINDS = frozenset(c for c, k in KINDS.items() if k.scope == "term")
RESOLVED_BY_DATA = "数据已更正"
NO_LONGER_SERVED = "已不在本校服务村"  # closed by a re-run after the clerk changed the served villages


def label(kind: str) -> str:
    info = KINDS.get(kind)
    return info.label if info else kind


class RulesError(AidofficeError):
    pass


@dataclass(frozen=True)
class Rules:
    once_only: frozenset[str]
    resolutions: tuple[str, ...]
    stage_ages: dict[str, tuple[int, int]]

    def expected_stage(self, age: int) -> str | None:
        for stage, (low, high) in self.stage_ages.items():
            if low <= age <= high:
                return stage
        return None


@functools.cache
def rules() -> Rules:
    path = resources_dir() / "reconcile" / "rules.toml"
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"比对规则文件「{path}」无法读取：{exc}") from None
    unknown = set(data) - {"once_only", "resolutions", "stage_ages"}
    if unknown:
        raise RulesError(f"比对规则文件「{path}」中有不认识的项“{'、'.join(sorted(unknown))}”，请检查拼写")
    ages = {}
    for stage, pair in data.get("stage_ages", {}).items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(a, int) for a in pair)):
            raise RulesError(f"比对规则文件「{path}」：stage_ages.{stage} 应写作 [6, 11]")
        ages[stage] = (pair[0], pair[1])
    resolutions = tuple(str(r) for r in data.get("resolutions", []))
    if RESOLVED_BY_DATA in resolutions or NO_LONGER_SERVED in resolutions:
        raise RulesError(f"比对规则文件「{path}」：“{RESOLVED_BY_DATA}”由重新比对自动使用，不能列为处理结果")
    return Rules(frozenset(data.get("once_only", [])), resolutions, ages)
