"""A dropout case's notices to the family: 复学通知书 (return to school by a date) and 劝返告知书 (the
formal notice before the case is reported), printed as PDF through the same editable templates as the
letters (resources/templates/return_notice.txt, persuade_notice.txt; 1222宣传材料 → 模板). The file is
recorded like every produced document (its SHA-256 in a publicity batch, an audit entry) and the case
notes the notice with its deadline, which becomes the case's next date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.casework import cases
from aidoffice.casework.case_queries import class_words
from aidoffice.db.models import CasePerson
from aidoffice.errors import FieldProblem, ValidationError
from aidoffice.files import check_target
from aidoffice.ledgers.school import require_school, resolve_term
from aidoffice.privacy import Field, Level, show
from aidoffice.publicity import templates as tpl
from aidoffice.publicity.common import BLANK, chinese_date, close_batch, common_values, open_batch
from aidoffice.publicity.flow import Flow, render
from aidoffice.publicity.fonts import FontSet, default_fonts
from aidoffice.publicity.pdf import MM, PAGE_SIZES, document
from aidoffice.publicity.settings import read_settings

NOTICE_KINDS = {"return": "return_notice", "persuade": "persuade_notice"}
NOTICE_TITLES = {"return_notice": "复学通知书", "persuade_notice": "劝返告知书"}


@dataclass(frozen=True)
class NoticeResult:
    path: Path
    pages: int
    title: str
    deadline: date
    fingerprint: str

    def as_json(self) -> dict[str, object]:
        return {"file": str(self.path), "pages": self.pages, "notice": self.title,
                "deadline": self.deadline.isoformat(), "sha256": self.fingerprint}  # fmt: skip


def produce_case_notice(
    session: Session,
    case_id: int,
    kind: str,
    out: str | Path,
    *,
    deadline: date,
    place: str | None = None,
    notice_date: date | None = None,
    text: str | None = None,
    fonts: FontSet | None = None,
) -> NoticeResult:
    """`kind`: return / persuade (or the template names). Refused for a closed case or a deadline
    that is not after the notice's date."""
    name = NOTICE_KINDS.get(kind, kind)
    if name not in NOTICE_TITLES:
        raise ValidationError(
            [
                FieldProblem(
                    "通知书", f"没有“{kind}”这种通知书（可选：return 复学通知书、persuade 劝返告知书）"
                )
            ]
        )
    case = cases.get_case(session, case_id)
    cases.require_case(session, "casework.edit", case)
    day = notice_date or clock.today()
    if deadline <= day:
        raise ValidationError(
            [FieldProblem("截止日期", f"{deadline:%Y-%m-%d} 不晚于通知日期 {day:%Y-%m-%d}，请给家长留出时间")]
        )
    out = check_target(out, (".pdf",))
    title = NOTICE_TITLES[name]
    if case.status.value != "open":
        cases.record_notice(session, case_id, title=title, deadline=deadline)  # refuses with the reason
    school = require_school(session)
    term = resolve_term(session, None)
    settings = read_settings(session)
    template = tpl.load(name, text)
    teacher = session.execute(
        select(CasePerson.name, CasePerson.phone).where(
            CasePerson.case_id == case.id, CasePerson.role == "班主任"
        )
    ).first()
    values = common_values(school, settings, term, day)
    values.update(
        学生姓名=case.name,
        年级=class_words(case.grade, None),
        班级=case.class_name or "",
        年级班级=class_words(case.grade, case.class_name) or "未在本校注册",
        监护人=(case.guardian_name or "") + ("家长" if not case.guardian_name else ""),
        家庭住址=show(Field.ADDRESS, case.address, Level.LETTER) or BLANK,
        乡镇=case.township or "",
        村=case.village or "",
        辍学日期=chinese_date(case.left_on) if case.left_on else BLANK,
        截止日期=chinese_date(deadline),
        报到地点=(place or "").strip() or school.name,
        班主任=teacher[0] if teacher else BLANK,
        班主任电话=(teacher[1] or BLANK) if teacher else BLANK,
        案件编号=str(case.id),
    )
    fonts = fonts or default_fonts()
    page_w, page_h = PAGE_SIZES["A4"]
    margin = 20 * MM
    flow = Flow(fonts, page_w - 2 * margin)
    rows = flow.template_rows(template, values, {}, {})
    params = {
        "case": case.id,
        "date": day.isoformat(),
        "deadline": deadline.isoformat(),
        "texts": {name: template.text},
    }
    batch = open_batch(session, name, term.code, case.name, params, out)
    with document(out, fonts, f"{school.name} {title}（{case.name}）", school.name) as doc:
        pages = render(doc, rows, x=margin, top=page_h - 20 * MM, height=page_h - 36 * MM)
    digest = close_batch(session, batch, out, pages, 1)
    cases.record_notice(session, case.id, title=title, deadline=deadline, on=day, file_name=out.name)
    return NoticeResult(out, pages, title, deadline, digest)
