"""控辍保学 一人一案: a case for each child of compulsory-school age out of school.

A case opens from the student ledger (标记辍学), from a 需核实去向 finding of the comparison (NOT_ENROLLED),
or by hand for a child of a served village who is in no ledger. It names the reason, the plan and the
people responsible (roles configurable per school), records every action (家访/电话/约谈 … what was
said, the result, the next step's date), the notices printed (复学通知书, 劝返告知书, each with its
deadline), the report to the township and county, and the outcome. A child who returns is marked 在读
in the ledger and the case closes with 复学; a child who leaves again reopens the same case, so its
history stays in one place. Every change is a row of an audited table (the audit trail records it);
reads and writes check the rights (`cases.view`, `casework.edit`) and a head teacher's classes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import PermissionDenied, allowed, class_scope, require, require_class
from aidoffice.casework.words import OUTCOMES, REASONS, WAYS
from aidoffice.db.audit import actor_of
from aidoffice.db.models import (
    CaseAction,
    CasePerson,
    CaseStatus,
    DropoutCase,
    Problem,
    ProblemStatus,
    School,
    Student,
    StudentStatus,
    Township,
    Village,
)
from aidoffice.domain.idnumber import InvalidIdNumber, normalize_id, parse_id
from aidoffice.domain.phones import normalize_phone, phone_problem
from aidoffice.domain.text import typed_text
from aidoffice.errors import FieldProblem, InputRefused, NotFound, ValidationError
from aidoffice.ledgers import students as ledger
from aidoffice.ledgers.places import served_village_ids
from aidoffice.reconcile import problem_actions, problems

# what an outcome needs written beside it before the case may close
OUTCOME_NEEDS = {
    "转学": "接收学校名称及其回执（接收证明）",
    "因病缓学": "医院诊断证明（开具医院和日期）",
    "其他": "结案原因",
}
DEFAULT_ROLES = ("班主任", "校长", "村干部", "乡镇干部", "家长")
ROLES_KEY = "case_roles"  # school.settings: the roles a case names its responsible people by
DUE_DAYS = 7  # a new case's first action is due within a week unless the clerk says otherwise
TEXT_MAX = 2000
ATTEMPT = "act"  # the action kind that is one 劝返 (the count of attempts counts these only)
ACT_RIGHT = "cases.act"  # recording a 劝返; opening, notices, reports and closing need casework.edit
AT_SCHOOL = (StudentStatus.ENROLLED, StudentStatus.SUSPENDED)


@dataclass(frozen=True)
class PersonInput:
    role: str
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class CaseInput:
    reason: str
    reason_note: str | None = None
    plan: str | None = None
    left_on: date | None = None
    next_due: date | None = None
    people: Sequence[PersonInput] = ()


@dataclass(frozen=True)
class ChildInput:
    """A child of a served village in no ledger (opened by hand)."""

    name: str
    id_number: str | None
    village_id: int
    sex: str | None = None
    birth_date: date | None = None
    guardian_name: str | None = None
    guardian_phone: str | None = None
    address: str | None = None


# ---- roles ---------------------------------------------------------------------------------------------


def _school(session: Session) -> School:
    school = session.scalars(select(School).order_by(School.id)).first()
    if school is None:
        raise NotFound("尚未设置学校，请先在“设置”中填写学校信息。")
    return school


def case_roles(session: Session) -> list[str]:
    """The roles a case names its responsible people by (设置 on the 控辍保学 page)."""
    school = session.scalars(select(School).order_by(School.id)).first()
    stored = (school.settings or {}).get(ROLES_KEY) if school is not None else None
    return list(stored) if stored else list(DEFAULT_ROLES)


def set_case_roles(session: Session, roles: Sequence[str]) -> list[str]:
    require(session, "casework.edit")
    cleaned: list[str] = []
    for i, role in enumerate(roles, 1):
        text = typed_text(role, lines=False)
        if not text:
            continue
        if len(text) > 20:
            raise ValidationError(
                [FieldProblem("责任人身份", f"第 {i} 个“{text[:20]}…”太长（最多 20 个字）")]
            )
        if text not in cleaned:
            cleaned.append(text)
    if not cleaned:
        raise ValidationError([FieldProblem("责任人身份", "至少要有一种责任人身份（如班主任）")])
    school = _school(session)
    school.settings = {**(school.settings or {}), ROLES_KEY: cleaned}
    session.flush()
    return cleaned


# ---- checks --------------------------------------------------------------------------------------------


def _text(value: str | None, what: str, limit: int = TEXT_MAX, *, lines: bool = True) -> str | None:
    """Free text as typed (control characters dropped; a one-line field has no line breaks), checked for
    length."""
    text = typed_text(value, lines=lines)
    if len(text) > limit:
        raise ValidationError([FieldProblem(what, f"太长（{len(text)} 个字，最多 {limit} 个字）")])
    return text or None


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if reason not in REASONS:
        raise ValidationError(
            [FieldProblem("辍学原因", f"“{reason}”不是可选的原因，请选：{'、'.join(REASONS)}")]
        )
    return reason


def _check_people(session: Session, people: Sequence[PersonInput]) -> list[CasePerson]:
    roles = case_roles(session)
    out = []
    for i, p in enumerate(people, 1):
        role, name = (p.role or "").strip(), typed_text(p.name, lines=False)
        if role not in roles:
            raise ValidationError(
                [FieldProblem("责任人", f"第 {i} 位的身份“{role}”不在设置的身份中（{'、'.join(roles)}）")]
            )
        if not name or len(name) > 50:
            raise ValidationError([FieldProblem("责任人", f"第 {i} 位（{role}）请填写姓名（最多 50 个字）")])
        phone = _text(p.phone, "责任人电话", 30, lines=False)
        if why := phone_problem(phone):
            raise ValidationError([FieldProblem("责任人电话", f"第 {i} 位（{role} {name}）的电话{why}")])
        phone = normalize_phone(phone) or None
        out.append(CasePerson(role=role, name=name, phone=phone))
    return out


def _day(value: date | None) -> date:
    return value or clock.today()


EARLIEST = date(2000, 1, 1)


def _check_day(day: date, what: str, *, not_before: date | None = None, why: str = "") -> date:
    """A date a clerk typed for something that has happened: not in the future, not before 2000, and not
    before `not_before` (the day the case opened, the day the child left)."""
    if day > clock.today():
        raise ValidationError([FieldProblem(what, f"{day:%Y-%m-%d} 还没有到，请填写实际的日期")])
    if day < EARLIEST:
        raise ValidationError([FieldProblem(what, f"{day:%Y-%m-%d} 太早了，请核对年份")])
    if not_before is not None and day < not_before:
        raise ValidationError([FieldProblem(what, f"不能早于{why}（{not_before:%Y-%m-%d}）")])
    return day


def get_case(session: Session, case_id: int) -> DropoutCase:
    case = session.get(DropoutCase, case_id)
    if case is None:
        raise NotFound(f"找不到编号为 {case_id} 的控辍保学案件。")
    return case


def require_case(session: Session, permission: str, case: DropoutCase) -> None:
    """The right, and for a head teacher, that the child is in one of their classes."""
    if case.grade is None or case.class_name is None:
        require(session, permission)
        scope = class_scope(session)
        if scope is not None:
            raise PermissionDenied(f"“{case.name}”不在您登记的班级中，只有资助专干可以处理。", permission)
        return
    require_class(session, permission, case.grade, case.class_name)


def _log(session: Session, case: DropoutCase, kind: str, on: date, **values: object) -> CaseAction:
    actor = actor_of(session)
    action = CaseAction(
        kind=kind, on=on, who=str(values.pop("who", None) or actor), recorded_by=actor,
        recorded_at=clock.now(), **values,
    )  # fmt: skip
    case.actions.append(action)
    return action


def _place_of_student(session: Session, st: Student) -> tuple[int | None, str | None, str | None]:
    if st.village_id is not None:
        row = session.execute(
            select(Village.id, Township.name, Village.name)
            .join(Township, Township.id == Village.township_id)
            .where(Village.id == st.village_id)
        ).first()
        if row:
            return row[0], row[1], row[2]
    return None, st.hukou_township, st.hukou_village


def _left_by_ledger(session: Session, student_id: int | None) -> date | None:
    """The day the ledger marked the student 辍学 (a case opened from a finding or by hand for a student
    already marked: the notice says since when the child has been away)."""
    st = session.get(Student, student_id) if student_id else None
    if st is not None and st.status is StudentStatus.DROPPED_OUT:
        return st.status_changed_on
    return None


def _open_case_of(session: Session, person_key: str) -> DropoutCase | None:
    return session.scalars(
        select(DropoutCase).where(DropoutCase.person_key == person_key).order_by(DropoutCase.id.desc())
    ).first()


def _start(
    session: Session, existing: DropoutCase | None, fresh: DropoutCase, data: CaseInput, today: date, how: str
) -> DropoutCase:
    """A new case, or the child's closed case opened again (the history stays in one place)."""
    if existing is not None and existing.status is CaseStatus.OPEN:
        raise InputRefused(
            f"“{existing.name}”已有劝返中的案件（编号 {existing.id}，{existing.opened_on:%Y-%m-%d} 立案），"
            "请在该案件中继续记录，不必重复立案。"
        )
    people = _check_people(session, data.people)
    reason = _check_reason(data.reason)
    note, plan = _text(data.reason_note, "原因说明"), _text(data.plan, "劝返方案")
    left = data.left_on or _left_by_ledger(session, fresh.student_id) or today
    _check_day(left, "辍学日期")
    if data.next_due is not None and data.next_due < today:
        raise ValidationError(
            [FieldProblem("下次跟进", f"不能早于今天（{today:%Y-%m-%d}）：立案时定的是往后的期限")]
        )
    due = data.next_due or date.fromordinal(today.toordinal() + DUE_DAYS)
    if existing is not None:  # closed: reopen
        case = existing
        last = f"上次结案：{case.outcome or ''}（{case.closed_on:%Y-%m-%d}）" if case.closed_on else ""
        case.status, case.times_opened = CaseStatus.OPEN, case.times_opened + 1
        case.reason, case.reason_note, case.plan = reason, note, plan or case.plan
        case.left_on, case.next_due = left, due
        case.outcome = case.outcome_note = case.closed_on = case.closed_by = None
        case.escalated_on = None
        for attr in ("student_id", "grade", "class_name", "problem_id"):
            if getattr(fresh, attr) is not None:
                setattr(case, attr, getattr(fresh, attr))
        if people:
            case.people.clear()
            case.people.extend(people)
        _log(session, case, "reopen", today, way=how, said=f"再次辍学：{reason}" + (f"，{note}" if note else ""),
             result=last or None, due=due)  # fmt: skip
    else:
        case = fresh
        case.reason, case.reason_note, case.plan = reason, note, plan
        case.left_on, case.next_due, case.opened_on = left, due, today
        case.opened_by, case.status, case.times_opened = actor_of(session), CaseStatus.OPEN, 1
        case.people.extend(people)
        session.add(case)
        _log(session, case, "open", today, way=how, said=f"{reason}" + (f"：{note}" if note else ""), due=due)
    session.flush()
    return case


# ---- opening -------------------------------------------------------------------------------------------


def open_for_student(
    session: Session, student_id: int, data: CaseInput, *, today: date | None = None, how: str = "学籍台账"
) -> DropoutCase:
    """A case for a student of the ledger (标记辍学 calls it; the ledger's status is the caller's)."""
    st = ledger.get_student(session, student_id)
    require_class(session, "casework.edit", st.grade, st.class_name)
    village_id, township, village = _place_of_student(session, st)
    fresh = DropoutCase(
        person_key=st.person_key, id_number=st.id_number, name=st.name, sex=st.sex, birth_date=st.birth_date,
        student_id=st.id, grade=st.grade, class_name=st.class_name, village_id=village_id, township=township,
        village=village, guardian_name=st.guardian_name, guardian_phone=st.guardian_phone,
        address=st.current_address or st.hukou_address, source="ledger",
    )  # fmt: skip
    return _start(session, _open_case_of(session, st.person_key), fresh, data, _day(today), how)


def mark_dropout(
    session: Session, student_id: int, on: date | None = None, reason: str | None = None, *,
    data: CaseInput | None = None,
) -> Student:  # fmt: skip
    """标记辍学: the ledger's status 辍学 and a case opened (or the child's closed case reopened) in the
    same transaction. `reason` as the ledger's dialog writes it: one of REASONS, or words (其他)."""
    require(session, "casework.edit")
    _check_day(on or clock.today(), "辍学日期")  # checked before the ledger changes: nothing half-done
    if data is not None:
        _check_reason(data.reason)
        _check_people(session, data.people)
        if data.next_due is not None and data.next_due < clock.today():
            raise ValidationError([FieldProblem("下次跟进", "不能早于今天：立案时定的是往后的期限")])
    st = ledger.mark_dropout(session, student_id, on, reason)
    if data is None:
        words = (reason or "").strip()
        known = next((r for r in REASONS if words == r or words.startswith(r)), None)
        data = CaseInput(
            reason=known or "其他", reason_note=None if known == words else words or None, left_on=on
        )
    open_for_student(session, student_id, data, today=on, how="学籍台账标记辍学")
    return st


def open_for_ledger_student(
    session: Session, student_id: int, data: CaseInput, *, today: date | None = None
) -> DropoutCase:
    """From the ledger: a student at school is marked 辍学 (and the case opens with it); one already
    marked 辍学 (before cases were kept), or 转出 and found out of school, gets the case alone."""
    st = ledger.get_student(session, student_id)
    if st.status in AT_SCHOOL:
        mark_dropout(session, student_id, data.left_on or today, data.reason, data=data)
        case = _open_case_of(session, st.person_key)
        assert case is not None
        return case
    return open_for_student(session, student_id, data, today=today)


def open_from_problem(
    session: Session, problem_id: int, data: CaseInput, *, today: date | None = None
) -> DropoutCase:
    """A case for the child of a 需核实去向 finding (NOT_ENROLLED): the problem is taken and notes the
    case; it closes with the case."""
    require(session, "casework.edit")
    p = problems.get_problem(session, problem_id)
    if p.kind != "NOT_ENROLLED":
        raise InputRefused(
            f"只有“需核实去向”的问题可以立控辍保学案件（这一条是“{problems.label(p.kind)}”）。"
        )
    if p.status is ProblemStatus.CLOSED:
        raise InputRefused(f"问题“{p.name}”已销号，不能再立案；如情况有变，请先重新打开该问题。")
    st = session.get(Student, p.student_id) if p.student_id else None
    if st is not None:
        require_class(session, "casework.edit", st.grade, st.class_name)
    elif class_scope(session) is not None:
        raise PermissionDenied("这个孩子不在您登记的班级中，只有资助专干可以立案。", "casework.edit")
    village_id, township, village = _village_of_problem(session, p)
    fresh = DropoutCase(
        person_key=p.person_key, id_number=p.id_number, name=p.name, source="finding", problem_id=p.id,
        student_id=st.id if st else None, grade=st.grade if st else None, class_name=st.class_name if st else None,
        sex=st.sex if st else None, birth_date=st.birth_date if st else None,
        guardian_name=st.guardian_name if st else None, guardian_phone=st.guardian_phone if st else None,
        village_id=village_id, township=township, village=village,
    )  # fmt: skip
    if fresh.birth_date is None and p.id_number:
        fresh.birth_date = _birth_of(p.id_number)
    day = _day(today)
    case = _start(session, _open_case_of(session, p.person_key), fresh, data, day, "比对发现")
    if p.status is ProblemStatus.OPEN:
        problem_actions.take_problem(session, p.id)
    problem_actions.add_note(
        session, p.id, f"已立控辍保学案件（编号 {case.id}，{data.reason}），结案时本问题一并销号"
    )
    return case


def _birth_of(id_number: str) -> date | None:
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None


def _village_of_problem(session: Session, p: Problem) -> tuple[int | None, str | None, str | None]:
    if not p.village:
        return None, None, None
    found = session.execute(
        select(Village.id, Township.name, Village.name)
        .join(Township, Township.id == Village.township_id)
        .where(Village.name == p.village)
    ).all()
    place = ""
    for col in (p.evidence or {}).get("columns", []):
        if isinstance(col, list | tuple) and len(col) >= 2 and col[0] == "所在村":
            place = str(col[1] or "")
    for vid, town, name in found:
        if len(found) == 1 or place.startswith(town):
            return vid, town, name
    return None, None, p.village


def open_by_hand(
    session: Session, child: ChildInput, data: CaseInput, *, today: date | None = None
) -> DropoutCase:
    """A child of a served village who is in no ledger of the school (told by the village, found on a
    visit). A child in the ledger is marked 辍学 there instead."""
    require(session, "casework.edit")
    if class_scope(session) is not None:
        raise PermissionDenied("手工立案的孩子不在任何班级中，请由资助专干办理。", "casework.edit")
    name = typed_text(child.name, lines=False)
    problems_: list[FieldProblem] = []
    if not name or len(name) > 50:
        problems_.append(FieldProblem("姓名", "请填写孩子的姓名（最多 50 个字）"))
    number = normalize_id(child.id_number) if child.id_number else None
    born = child.birth_date
    if number:
        try:
            born = born or parse_id(number).birth_date
        except InvalidIdNumber as exc:
            problems_.append(FieldProblem("身份证件号", f"{exc}，请核对后重新填写"))
    if number:
        st = session.scalars(select(Student).where(Student.person_key == number)).first()
        if st is not None and st.status not in AT_SCHOOL:
            # marked 辍学 before cases were kept, or 转出 and found out of school: the case is the record's
            return open_for_student(session, st.id, data, today=today, how="手工登记")
        if st is not None:
            raise InputRefused(
                f"“{st.name}”在本校学籍台账中（{st.class_name}），请在学生台账中“标记辍学”，案件会随之建立。"
            )
    if why := phone_problem(typed_text(child.guardian_phone, lines=False)):
        problems_.append(FieldProblem("监护人电话", f"{name or '孩子'}的监护人电话{why}"))
    village = session.get(Village, child.village_id)
    if village is None:
        problems_.append(FieldProblem("所在村", "请选择孩子户籍所在的村"))
    elif village.id not in served_village_ids(session):
        problems_.append(
            FieldProblem(
                "所在村",
                f"{village.name}不是本校的服务村；请先在“户籍台账 → 服务村”中确认，或由该村所属学校立案",
            )
        )
    if problems_:
        raise ValidationError(problems_)
    assert village is not None
    key = number or f"N:{name}:{village.id}"
    fresh = DropoutCase(
        person_key=key, id_number=number, name=name, sex=child.sex, birth_date=born, village_id=village.id, township=village.township.name,
        village=village.name, guardian_name=_text(child.guardian_name, "监护人", 50, lines=False),
        guardian_phone=_text(child.guardian_phone, "监护人电话", 30, lines=False), address=_text(child.address, "住址", 200, lines=False),
        source="manual",
    )  # fmt: skip
    return _start(session, _open_case_of(session, key), fresh, data, _day(today), "手工登记")


# ---- working a case -----------------------------------------------------------------------------------


def act_right(session: Session) -> str:
    """The right a 劝返 is recorded under: `cases.act` (a head teacher holds it, for the cases of their
    own classes), or `casework.edit` for a role of an office's own roles file written before it."""
    return ACT_RIGHT if allowed(session, ACT_RIGHT) else "casework.edit"


def _open(session: Session, case_id: int, permission: str = "casework.edit") -> DropoutCase:
    case = get_case(session, case_id)
    require_case(session, permission, case)
    if case.status is not CaseStatus.OPEN:
        raise InputRefused(
            f"“{case.name}”的案件已于 {case.closed_on:%Y-%m-%d} 结案（{case.outcome}），不能再记录。"
        )
    return case


def add_action(
    session: Session, case_id: int, *, way: str, said: str, result: str | None = None, who: str | None = None,
    on: date | None = None, next_due: date | None = None,
) -> CaseAction:  # fmt: skip
    """One contact with the family: when, who, how (家访/电话/约谈), what was said, the result, and
    by when the next step is due. A head teacher may, for a child of their own classes (`cases.act`)."""
    case = _open(session, case_id, act_right(session))
    if way not in WAYS:
        raise ValidationError([FieldProblem("方式", f"“{way}”不是可选的方式，请选：{'、'.join(WAYS)}")])
    said_text = _text(said, "沟通内容")
    if not said_text:
        raise ValidationError([FieldProblem("沟通内容", "请写明与家长、学生谈了什么")])
    day = _check_day(_day(on), "日期")  # a visit may come before the day a finding's child was put down
    if next_due is not None and next_due < day:
        raise ValidationError([FieldProblem("下次跟进", "下次跟进的日期不能早于这次")])
    action = _log(session, case, ATTEMPT, day, who=_text(who, "经办人", 60, lines=False), way=way, said=said_text,
                  result=_text(result, "结果"), due=next_due)  # fmt: skip
    case.next_due = next_due or date.fromordinal(day.toordinal() + DUE_DAYS)
    session.flush()
    return action


def edit_plan(
    session: Session, case_id: int, *, plan: str | None = None, people: Sequence[PersonInput] | None = None
) -> DropoutCase:
    case = _open(session, case_id)
    if plan is not None:
        case.plan = _text(plan, "劝返方案")
    if people is not None:
        new = _check_people(session, people)
        case.people.clear()
        case.people.extend(new)
    session.flush()
    return case


def escalate(
    session: Session, case_id: int, *, to: str, note: str | None = None, on: date | None = None
) -> CaseAction:
    """Report to the township government and the county education bureau (劝返无效上报)."""
    case = _open(session, case_id)
    whom = _text(to, "上报单位", 100, lines=False)
    if not whom:
        raise ValidationError([FieldProblem("上报单位", "请写明报告给谁（如：乡镇政府、县教育局）")])
    day = _check_day(_day(on), "上报日期")
    case.escalated_on = day
    action = _log(
        session, case, "escalate", day, way="书面报告", said=f"报告{whom}", result=_text(note, "说明")
    )
    session.flush()
    return action


def record_notice(
    session: Session, case_id: int, *, title: str, deadline: date, on: date | None = None, file_name: str = ""
) -> CaseAction:
    """A notice printed for the family (called by services.case_notices once the PDF is written)."""
    case = _open(session, case_id)
    action = _log(session, case, "notice", _day(on), way=title[:20], said=f"{title}（{file_name}）"[:TEXT_MAX],
                  due=deadline)  # fmt: skip
    case.next_due = deadline
    session.flush()
    return action


def close_case(
    session: Session, case_id: int, *, outcome: str, note: str | None = None, on: date | None = None
) -> DropoutCase:
    """The outcome: 复学 (the ledger marks the student 在读), 送教上门, 转学 (with the receiving school's
    confirmation), 因病缓学 (with a certificate), or closed with a reason. The finding a case was opened
    from is closed with it."""
    case = _open(session, case_id)
    if outcome not in OUTCOMES:
        raise ValidationError(
            [FieldProblem("结案结果", f"“{outcome}”不是可选的结果，请选：{'、'.join(OUTCOMES)}")]
        )
    text = _text(note, "结案说明")
    if outcome in OUTCOME_NEEDS and not text:
        raise ValidationError([FieldProblem("结案说明", f"“{outcome}”结案须写明{OUTCOME_NEEDS[outcome]}")])
    day = _check_day(_day(on), "结案日期", not_before=case.opened_on, why="立案日期")
    st = session.get(Student, case.student_id) if case.student_id else None
    if st is not None:  # the ledger says where the child is now
        if outcome == "复学" and st.status is not StudentStatus.ENROLLED:
            ledger.reinstate(session, st.id, day, f"复学（控辍保学案件 {case.id}）")
        elif outcome == "送教上门" and st.status is not StudentStatus.ENROLLED:
            # taught at home by the school's teachers: the child keeps the school's record, in school
            ledger.reinstate(
                session, st.id, day, f"送教上门（控辍保学案件 {case.id}）" + (f"：{text}" if text else "")
            )
        elif outcome == "因病缓学" and st.status is StudentStatus.DROPPED_OUT:
            ledger.suspend(session, st.id, day, f"因病缓学（控辍保学案件 {case.id}）：{text}")
        elif outcome == "转学" and st.status in (StudentStatus.DROPPED_OUT, StudentStatus.SUSPENDED):
            ledger.transfer_out(session, st.id, day, text, from_dropout=True)
    case.status, case.outcome, case.outcome_note = CaseStatus.CLOSED, outcome, text
    case.closed_on, case.closed_by, case.next_due = day, actor_of(session), None
    _log(session, case, "close", day, way=outcome, said=text)
    session.flush()
    if case.problem_id is not None:
        p = session.get(Problem, case.problem_id)
        if p is not None and p.status is not ProblemStatus.CLOSED:
            words = {"复学": "已劝返复学", "转学": "已转学", "送教上门": "已送教上门", "因病缓学": "因病缓学"}
            problem_actions.close_problem(
                session, p.id, words.get(outcome, "控辍保学结案"), f"控辍保学案件 {case.id} 结案：{outcome}"
                + (f"，{text}" if text else ""),
            )  # fmt: skip
    return case


def reinstate(session: Session, student_id: int, on: date | None = None, note: str | None = None) -> Student:
    """复学 from the student ledger: back to 在读, and the child's open case closes with 复学."""
    st = ledger.reinstate(session, student_id, on, note)
    case = session.scalars(
        select(DropoutCase).where(
            DropoutCase.person_key == st.person_key, DropoutCase.status == CaseStatus.OPEN
        )
    ).first()
    if case is not None:
        close_case(session, case.id, outcome="复学", note=note or "学生台账恢复在读", on=on)
    return st
