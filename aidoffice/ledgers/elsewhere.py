"""在外就读: school-age children of the villages the school serves who study at another school, as
the clerk has verified (which school, where, when verified, by whom). The village ledger's question
“which school does each child attend” is answered by the school ledger for our own students and by
these records for the others; a child answered by neither is a NOT_ENROLLED finding (需核实去向).

For the village tree: `elsewhere_for(session, person_keys)` gives the records of the members shown
(MemberRow.school can read 在外就读：<school>), and `elsewhere_counts(session)` the count per village."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.models import Household, HouseholdMember, StudyElsewhere
from aidoffice.domain.idnumber import InvalidIdNumber, normalize_id, parse_id
from aidoffice.errors import FieldProblem, ValidationError
from aidoffice.messages import id_problem

_CHUNK = 900


class ElsewhereRow(NamedTuple):
    id: int
    person_key: str
    id_number: str | None
    name: str
    school_name: str
    place: str | None
    verified_on: date
    verified_by: str
    note: str | None

    def describe(self) -> str:
        """在外就读：阜平县中学（县内，2026-10-08 王老师核实）"""
        where = f"{self.place}，" if self.place else ""
        return f"在外就读：{self.school_name}（{where}{self.verified_on:%Y-%m-%d} {self.verified_by}核实）"


def _row(r: StudyElsewhere) -> ElsewhereRow:
    return ElsewhereRow(
        r.id, r.person_key, r.id_number, r.name, r.school_name, r.place, r.verified_on, r.verified_by, r.note
    )


def record_elsewhere(
    session: Session,
    person_key: str,
    name: str,
    school_name: str,
    verified_on: date,
    verified_by: str,
    *,
    place: str | None = None,
    note: str | None = None,
    id_number: str | None = None,
    today: date | None = None,
) -> StudyElsewhere:
    """Record (or re-verify) that the child studies at another school. An audited ORM write."""
    require(session, "households.edit")
    problems = []
    key = normalize_id(person_key)
    if not key:
        problems.append(FieldProblem("身份证件号", "不能为空"))
    number = normalize_id(id_number or (key if key[:1].isdigit() else "")) or None
    if number is not None:
        try:
            parse_id(number, today=today)
        except InvalidIdNumber as exc:
            problems.append(FieldProblem("身份证件号", id_problem(exc)))
    name = "".join((name or "").split())
    if not name:
        problems.append(FieldProblem("姓名", "不能为空"))
    school_name = (school_name or "").strip()
    if not school_name:
        problems.append(FieldProblem("就读学校", "不能为空，请写明在哪所学校就读"))
    verified_by = (verified_by or "").strip()
    if not verified_by:
        problems.append(FieldProblem("核实人", "不能为空"))
    if verified_on is None:
        problems.append(FieldProblem("核实日期", "不能为空"))
    elif verified_on > (today or clock.today()):
        problems.append(FieldProblem("核实日期", f"{verified_on:%Y-%m-%d} 晚于今天"))
    if problems:
        raise ValidationError(problems)
    row = session.scalars(select(StudyElsewhere).where(StudyElsewhere.person_key == key)).first()
    values = {
        "id_number": number,
        "name": name[:50],
        "school_name": school_name[:100],
        "place": (place or "").strip()[:100] or None,
        "verified_on": verified_on,
        "verified_by": verified_by[:60],
        "note": (note or "").strip() or None,
    }
    if row is None:
        row = StudyElsewhere(person_key=key, **values)
        session.add(row)
    else:
        for k, v in values.items():
            if getattr(row, k) != v:
                setattr(row, k, v)
    session.flush()
    return row


def elsewhere_for(session: Session, person_keys: Iterable[str] | None = None) -> dict[str, ElsewhereRow]:
    """The records per person key (all of them when `person_keys` is None)."""
    if person_keys is None:
        return {r.person_key: _row(r) for r in session.scalars(select(StudyElsewhere))}
    wanted = list(dict.fromkeys(k for k in person_keys if k))
    out = {}
    for i in range(0, len(wanted), _CHUNK):
        for r in session.scalars(
            select(StudyElsewhere).where(StudyElsewhere.person_key.in_(wanted[i : i + _CHUNK]))
        ):
            out[r.person_key] = _row(r)
    return out


def elsewhere_counts(session: Session) -> dict[int, int]:
    """Children of each village's household ledger recorded as studying elsewhere: village id → count."""
    rows = session.execute(
        select(Household.village_id, func.count(func.distinct(StudyElsewhere.person_key)))
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .join(StudyElsewhere, StudyElsewhere.person_key == HouseholdMember.person_key)
        .group_by(Household.village_id)
    )
    return {v: n for v, n in rows}
