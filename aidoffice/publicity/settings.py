"""The school's publicity settings (kept in `school.settings`): the phones every letter and the poster
print, the application deadline, who signs, and how the public notice is made."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy.orm import Session

from aidoffice.access.checks import require
from aidoffice.errors import FieldProblem, ValidationError
from aidoffice.ledgers.school import require_school

KEY = "publicity"
LABELS = {
    "contact_name": "资助专干姓名",
    "contact_phone": "资助专干电话",
    "aid_office_phone": "学校资助办电话",
    "county_centre_phone": "县学生资助管理中心电话",
    "complaint_phone": "监督举报电话",
    "apply_deadline": "申请截止",
    "issuer": "落款",
    "notice_days": "公示天数（工作日）",
    "slip_days": "回执交回天数",
    "notice_show_level": "公示中列出资助档次",
}
_PHONE = re.compile(r"^[0-9０-９\-－()（） 转,，、/]{5,40}$")


@dataclass(frozen=True)
class PublicitySettings:
    contact_name: str = ""  # the named contact (资助专干) every letter and the notice print
    contact_phone: str = ""  # empty: the aid office's phone
    aid_office_phone: str = ""
    county_centre_phone: str = ""
    complaint_phone: str = ""
    apply_deadline: str = "开学后第二周周五"  # the templates say 于{申请截止}前
    issuer: str = ""  # empty: the school's name
    notice_days: int = 5
    slip_days: int = 7  # the slips say 于{回执交回}前: the letter's date plus this many days
    notice_show_level: bool = False  # only where the county asks for it

    def missing_contacts(self) -> list[str]:
        return [
            LABELS[k]
            for k in ("contact_name", "aid_office_phone", "county_centre_phone", "complaint_phone")
            if not getattr(self, k)
        ]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_settings(session: Session) -> PublicitySettings:
    stored = (require_school(session).settings or {}).get(KEY, {})
    known = {f.name for f in fields(PublicitySettings)}
    return PublicitySettings(**{k: v for k, v in stored.items() if k in known})


def check(values: dict[str, Any]) -> list[FieldProblem]:
    problems = []
    for key in ("contact_phone", "aid_office_phone", "county_centre_phone", "complaint_phone"):
        v = values.get(key)
        if v and not _PHONE.match(str(v)):
            problems.append(
                FieldProblem(LABELS[key], f"“{v}”不像电话号码（可写 0312-1234567 或 12345678 转 801）")
            )
    days = values.get("notice_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 5 <= days <= 30):
        problems.append(FieldProblem(LABELS["notice_days"], "公示期不少于5个工作日（5—30）"))
    slip = values.get("slip_days")
    if slip is not None and (not isinstance(slip, int) or isinstance(slip, bool) or not 1 <= slip <= 30):
        problems.append(FieldProblem(LABELS["slip_days"], "回执应在告知书日期后1—30天内交回"))
    for key in ("apply_deadline", "issuer"):
        v = values.get(key)
        if v is not None and len(str(v)) > 60:
            problems.append(FieldProblem(LABELS[key], "太长（最多60字）"))
    name = values.get("contact_name")
    if name is not None and (len(str(name)) > 20 or any(ch in str(name) for ch in "{}\n")):
        problems.append(FieldProblem(LABELS["contact_name"], "请只写姓名（最多20字），如“王老师”或“王丽”"))
    return problems


def write_settings(session: Session, **changes: Any) -> PublicitySettings:
    """Change some settings (audited: the school row's settings change is recorded)."""
    require(session, "publicity.setup")
    known = {f.name for f in fields(PublicitySettings)}
    unknown = set(changes) - known
    if unknown:
        raise ValueError(f"unknown publicity settings: {sorted(unknown)}")
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items() if v is not None}
    problems = check(cleaned)
    if problems:
        raise ValidationError(problems)
    school = require_school(session)
    current = dict((school.settings or {}).get(KEY, {}))
    current.update(cleaned)
    # a new dict, so the change is seen (and audited) rather than mutated in place
    school.settings = {**(school.settings or {}), KEY: current}
    session.flush()
    return read_settings(session)
