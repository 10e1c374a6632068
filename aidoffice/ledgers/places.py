"""Where students and listed children are registered (户籍), and the villages the school serves (服务村).

A 学籍 export's 户口所在地 and a department list's 乡镇/村 columns are split (domain.address) into a
township and a village of the school's county; a student is linked to that village. The served
villages are a school setting: proposed from where the enrolled children live, confirmed by the clerk
once, edited later; the village ledger lists them and the comparison looks for their children."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidoffice.access.checks import require
from aidoffice.db.models import Household, School, Student, StudentStatus, Township, Village
from aidoffice.domain.address import Place, bare_town, split_columns, split_place, village_key
from aidoffice.domain.text import printable
from aidoffice.errors import FieldProblem, NotFound, ValidationError

SERVED_KEY = "served_villages"  # school.settings: [village id, …] once the clerk has confirmed them


class Placer:
    """Splits places for one import, each distinct text once, with the county's townships known."""

    def __init__(self, session: Session, county: str | None):
        self.county = county
        self.towns = list(session.scalars(select(Township.name)))
        self._memo: dict[tuple[str | None, str | None, str | None], Place] = {}

    def place(self, address: str | None) -> Place:
        key = (address, None, None)
        if key not in self._memo:
            self._memo[key] = split_place(address, self.county, self.towns)
        return self._memo[key]

    def columns(self, township: str | None, village: str | None) -> Place:
        key = (None, township, village)
        if key not in self._memo:
            self._memo[key] = split_columns(township, village, self.county, self.towns)
        return self._memo[key]


def guess_county(addresses: Iterable[str | None]) -> str | None:
    """The county most of the addresses name (for a school whose county is not set yet)."""
    counts: Counter[str] = Counter()
    for address, n in Counter(a for a in addresses if a).items():  # each distinct place split once
        county = split_place(address, None).county
        if county:
            counts[county] += n
    return counts.most_common(1)[0][0] if counts else None


def find_village(session: Session, township: str, village: str) -> Village | None:
    """The village of that township, however the names are written (城南庄/城南庄镇, 大岸底/大岸底村)."""
    town_key, v_key = bare_town(township.strip()), village_key(village)
    for v in session.scalars(
        select(Village).join(Township, Township.id == Village.township_id).order_by(Village.id)
    ):
        if village_key(v.name) == v_key and bare_town(v.township.name) == town_key:
            return v
    return None


class VillageFinder:
    """get-or-create of villages by (township, village) for a whole import, tolerant of suffixes."""

    def __init__(self, session: Session):
        self.session = session
        self.known: dict[tuple[str, str], int] = {}
        self._keys: dict[tuple[str, str], tuple[str, str]] = {}  # as written → as compared
        for v_id, v_name, t_name in session.execute(
            select(Village.id, Village.name, Township.name).join(Township, Township.id == Village.township_id)
        ):
            self.known.setdefault((bare_town(t_name), village_key(v_name)), v_id)

    def find(self, township: str, village: str) -> int | None:
        key = self._keys.get((township, village))
        if key is None:  # a 学籍 export names the same few hundred villages thousands of times
            key = self._keys[(township, village)] = (bare_town(township), village_key(village))
        return self.known.get(key)

    def get_or_create(self, township: str, village: str) -> int:
        found = self.find(township, village)
        if found is not None:
            return found
        from aidoffice.ledgers.villages import get_or_create_village

        town = self.session.scalars(select(Township).where(Township.name == township)).first()
        if town is None:  # the township written another way (城南庄 / 城南庄镇)
            town = next(
                (
                    t
                    for t in self.session.scalars(select(Township))
                    if bare_town(t.name) == bare_town(township)
                ),
                None,
            )
        row = get_or_create_village(self.session, town.name if town else township, village)
        self.known[(bare_town(township), village_key(village))] = row.id
        return row.id


class PlaceIndex:
    """Places named in a list (乡镇 + 村, or 村 alone) → one of the villages given. The columns are read
    as the address splitter reads them (城南庄 / 城南庄镇, the whole place in the 村 column, the county
    before the township); a place in another county is in no village."""

    def __init__(self, villages: Iterable[tuple[int, str, str]], county: str | None = None):
        self.by_pair: dict[tuple[str, str], int] = {}
        self.county = county
        by_name: dict[str, list[int]] = {}
        towns: set[str] = set()
        for v_id, township, name in villages:
            towns.add(township)
            self.by_pair[(bare_town("".join(township.split())), village_key(name))] = v_id
            by_name.setdefault(village_key(name), []).append(v_id)
        self.towns = sorted(towns)
        # a village name alone places a row only when no other village given has that name
        self.by_name = {k: ids[0] for k, ids in by_name.items() if len(ids) == 1}
        self._memo: dict[tuple[str | None, str | None], int | None] = {}

    def find(self, township: str | None, village: str | None) -> int | None:
        key = (township, village)
        if key in self._memo:
            return self._memo[key]
        found = None
        place = split_columns(township, village, self.county, self.towns)
        if not place.foreign:
            if place.inside:
                township, village = place.township, place.village
            v = village_key(village)
            if v:
                t = bare_town("".join((township or "").split()))
                # a township named decides: a village of the same name in a township not given (one
                # the school does not serve) is not ours; the name alone places a row only without one
                found = self.by_pair.get((t, v)) if t else self.by_name.get(v)
        self._memo[key] = found
        return found


# ---- served villages ----------------------------------------------------------------------------


class ServedVillage(NamedTuple):
    id: int
    township: str
    name: str
    enrolled: int  # enrolled students registered there
    households: int  # households of the village roster
    served: bool


@dataclass
class ServedVillages:
    confirmed: bool  # the clerk has confirmed the list; else it is the proposal
    villages: list[ServedVillage]  # every known village, served or not

    @property
    def ids(self) -> set[int]:
        return {v.id for v in self.villages if v.served}


def _school(session: Session) -> School:
    school = session.scalars(select(School).order_by(School.id)).first()
    if school is None:
        raise NotFound("尚未设置学校，请先在“设置”中填写学校信息。")
    return school


def served_confirmed(session: Session) -> bool:
    school = session.scalars(select(School).order_by(School.id)).first()
    return school is not None and (school.settings or {}).get(SERVED_KEY) is not None


def served_village_ids(session: Session) -> set[int]:
    """The villages the school serves: the confirmed setting, else the proposal (every village where
    an enrolled child is registered or whose households are on the village roster)."""
    school = session.scalars(select(School).order_by(School.id)).first()
    ids = (school.settings or {}).get(SERVED_KEY) if school is not None else None
    if ids is not None:
        return {int(i) for i in ids}
    return proposed_village_ids(session)


def proposed_village_ids(session: Session) -> set[int]:
    enrolled = select(Student.village_id).where(
        Student.village_id.is_not(None), Student.status == StudentStatus.ENROLLED
    )
    return set(session.scalars(enrolled.distinct())) | set(
        session.scalars(select(Household.village_id).distinct())
    )


def served_villages(session: Session) -> ServedVillages:
    require(session, "villages.view")
    school = _school(session)
    stored = (school.settings or {}).get(SERVED_KEY)
    served = {int(i) for i in stored} if stored is not None else proposed_village_ids(session)
    enrolled = dict(
        session.execute(
            select(Student.village_id, func.count())
            .where(Student.village_id.is_not(None), Student.status == StudentStatus.ENROLLED)
            .group_by(Student.village_id)
        ).all()
    )
    households = dict(
        session.execute(select(Household.village_id, func.count()).group_by(Household.village_id)).all()
    )
    rows = [
        ServedVillage(v_id, t_name, v_name, enrolled.get(v_id, 0), households.get(v_id, 0), v_id in served)
        for v_id, v_name, t_name in session.execute(
            select(Village.id, Village.name, Township.name)
            .join(Township, Township.id == Village.township_id)
            .order_by(Township.name, Village.name)
        )
    ]
    return ServedVillages(stored is not None, rows)


PLACE_NAME_MAX = 30


def place_name_problem(name: str) -> str | None:
    """Why a typed 乡镇 or 村 name cannot be one (None when it can): the names the county gives are
    Chinese, short, and carry no control characters or formula signs."""
    if len(name) > PLACE_NAME_MAX:
        return f"名称太长（{len(name)} 个字，最多 {PLACE_NAME_MAX} 个字）"
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in name):
        return "名称中有控制字符（可能是从别处复制来的），请重新输入"
    if not ("\u3400" <= name[0] <= "\u9fff" or "\U00020000" <= name[0] <= "\U0003134f"):
        return "不是乡（镇）或村的名称：应以汉字开头，如“城南庄镇/大岸底村”"
    return None


def set_served_villages(
    session: Session, village_ids: Iterable[int], added: Iterable[tuple[str, str]] = ()
) -> ServedVillages:
    """Confirm (or change) the served villages: the ids ticked, and villages typed as 乡镇 + 村 that are
    not known yet. Recorded in the audit trail (the school's settings change)."""
    require(session, "households.edit")
    school = _school(session)
    ids = {int(i) for i in village_ids}
    known = set(session.scalars(select(Village.id).where(Village.id.in_(ids)))) if ids else set()
    if ids - known:
        raise ValidationError([FieldProblem("服务村", "所选的村已不存在，请刷新后重新选择")])
    finder = VillageFinder(session)
    problems = []
    for town, village in added:
        town, village = (town or "").strip(), (village or "").strip()
        if not town or not village:
            problems.append(FieldProblem("服务村", "添加村时，乡（镇）和村的名称都要填写"))
            continue
        bad = place_name_problem(town) or place_name_problem(village)
        if bad:
            problems.append(
                FieldProblem("服务村", f"“{printable(town)[:20]}/{printable(village)[:20]}”{bad}")
            )
            continue
        ids.add(finder.get_or_create(town, village))
    if problems:
        raise ValidationError(problems)
    session.info["audit_note"] = f"确认服务村（{len(ids)} 个）"
    school.settings = {**(school.settings or {}), SERVED_KEY: sorted(ids)}
    session.flush()
    return served_villages(session)


def link_student_place(session: Session, student: Student, finder: VillageFinder | None = None) -> None:
    """A student typed on the form: the 户籍乡镇 + 户籍村 written (or the 户口所在地 split) decide the
    village, unless a household of the village roster already places the child."""
    with session.no_autoflush:  # a new student is inserted once, with its village
        _link_student_place(session, student, finder)


def _link_student_place(session: Session, student: Student, finder: VillageFinder | None) -> None:
    if any(link.household is not None for link in student.household_links):
        return
    town, village = student.hukou_township, student.hukou_village
    if not (town and village) and student.hukou_address:
        school = _school(session)
        place = split_place(student.hukou_address, school.county, session.scalars(select(Township.name)))
        if place.inside:
            town, village = place.township, place.village
    if town and village:
        place = split_columns(town, village, _school(session).county, session.scalars(select(Township.name)))
        if place.foreign:
            student.village_id = None
            return
        town, village = place.township or town, place.village or village
        student.village_id = (finder or VillageFinder(session)).get_or_create(town, village)
    else:
        student.village_id = None


class Outside(NamedTuple):
    """Enrolled students in no village of the county: registered in another county (外县, 随迁), and
    those whose place could not be split (to complete in the 学籍 system or on the student form)."""

    foreign: int
    unplaced: int


def students_outside(session: Session) -> Outside:
    require(session, "villages.view")
    school = session.scalars(select(School).order_by(School.id)).first()
    county = school.county if school is not None else None
    placer = Placer(session, county)
    foreign = unplaced = 0
    for address, n in session.execute(
        select(Student.hukou_address, func.count())
        .where(Student.village_id.is_(None), Student.status == StudentStatus.ENROLLED)
        .group_by(Student.hukou_address)
    ):
        if placer.place(address).foreign:
            foreign += n
        else:
            unplaced += n
    return Outside(foreign, unplaced)
