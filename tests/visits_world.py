"""A small served area for the contact-duty and visit tests: two served villages and one that is not,
households poor (低保, 脱贫) and not, a child of 七年级1班 in one household, and (with_accounts) an
administrator, a clerk and the head teacher of 七年级1班."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aidoffice.access.checks import Principal, act_as
from aidoffice.db.models import GroupMembership, Household, HouseholdMember, Township, Village
from aidoffice.domain.policies import SourceKind
from aidoffice.ledgers.places import set_served_villages
from aidoffice.ledgers.school import require_school
from aidoffice.ledgers.students import add_student
from aidoffice.safety.accounts import create_user, sign_in
from tests.factories import an_id, student

PW = "River-2026x"


@dataclass
class World:
    villages: dict[str, int]  # 黑崖沟村, 下滩村 (served), 外村 (not)
    households: dict[str, int]  # by head's name
    student_id: int  # 王小明, 七年级1班, of 王大山's household
    admin: Principal | None = None
    clerk: Principal | None = None
    teacher: Principal | None = None  # head teacher of 七年级1班


def make_world(db, *, with_accounts: bool = False) -> World:  # type: ignore[no-untyped-def]
    with db.unit_of_work(actor="测试员") as s:
        town = Township(name="龙泉关镇")
        s.add(town)
        villages = {n: Village(township=town, name=n) for n in ("黑崖沟村", "下滩村", "外村")}
        s.add_all(villages.values())
        s.flush()
        school = require_school(s)
        kid = add_student(
            s,
            school.id,
            student("王小明", "七年级", "1班", id_number=an_id(date(2013, 5, 3), True, "130624")),
        )
        other = add_student(
            s,
            school.id,
            student("刘小红", "七年级", "2班", id_number=an_id(date(2013, 7, 9), False, "130624")),
        )
        specs = [  # head, village, household_no, phone, group of a member (None: not poor), child
            ("王大山", "黑崖沟村", "0001", "13812345678", "dibao", kid),
            ("李二牛", "黑崖沟村", "0002", "13900001111", None, None),
            ("张三妹", "下滩村", "0003", None, "poverty_exited", None),
            ("赵四", "下滩村", "0004", None, None, other),
            ("钱外", "外村", "0005", None, "dibao", None),
        ]
        households = {}
        for i, (head, village, no, phone, group, child) in enumerate(specs):
            h = Household(village_id=villages[village].id, household_no=no, head_name=head, phone=phone)
            s.add(h)
            s.flush()
            households[head] = h.id
            key = an_id(date(1980, 1, 1 + i), True, "130624")
            s.add(
                HouseholdMember(household_id=h.id, name=head, id_number=key, person_key=key, relation="户主")
            )
            if child is not None:
                s.add(HouseholdMember(household_id=h.id, name=child.name, id_number=child.id_number,
                                      person_key=child.person_key, relation="之子", student_id=child.id))  # fmt: skip
                if group:  # the department's list names every member of the household
                    s.add(GroupMembership(person_key=child.person_key, group_code=group, source_kind=SourceKind.LIST,
                                          source_label="民政局", known_on=date(2026, 9, 1), active=True))  # fmt: skip
            if group:
                s.add(GroupMembership(person_key=key, group_code=group, source_kind=SourceKind.LIST,
                                      source_label="民政局", known_on=date(2026, 9, 1), active=True))  # fmt: skip
        set_served_villages(s, [villages["黑崖沟村"].id, villages["下滩村"].id])
        world = World({n: v.id for n, v in villages.items()}, households, kid.id)
    if with_accounts:
        with db.unit_of_work() as s:
            create_user(s, "admin", "张主任", "Mountain-2026", "admin")
        world.admin = sign_in(db, "admin", "Mountain-2026")
        with db.unit_of_work() as s:
            act_as(s, world.admin)
            create_user(s, "clerk", "李专干", PW, "clerk", must_change_password=False)
            create_user(s, "wang", "王老师", PW, "head_teacher", [(7, "1班")], must_change_password=False)
        world.clerk = sign_in(db, "clerk", PW)
        world.teacher = sign_in(db, "wang", PW)
    return world
