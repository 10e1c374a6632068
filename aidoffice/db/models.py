"""The data model. One module so the whole schema reads in one place; the Alembic migrations must
produce exactly this (tests/integration/test_migrations.py)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    exists,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from aidoffice.domain.policies import SOURCE_NAMES as SOURCE_NAMES  # re-exported: the domain owns it
from aidoffice.domain.policies import SourceKind

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Audited:
    """Marker: every insert, update and delete of these rows is written to the audit trail."""


class StudentStatus(enum.Enum):
    ENROLLED = "enrolled"  # 在读
    TRANSFERRED_OUT = "transferred_out"  # 转出
    SUSPENDED = "suspended"  # 休学
    DROPPED_OUT = "dropped_out"  # 辍学
    GRADUATED = "graduated"  # 毕业


STATUS_NAMES = {
    StudentStatus.ENROLLED: "在读",
    StudentStatus.TRANSFERRED_OUT: "转出",
    StudentStatus.SUSPENDED: "休学",
    StudentStatus.DROPPED_OUT: "辍学",
    StudentStatus.GRADUATED: "毕业",
}
STATUS_BY_NAME = {v: k for k, v in STATUS_NAMES.items()}


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        length=24,
        validate_strings=True,
    )


class School(Audited, Base):
    """学校 and its settings. A database normally holds one school; a central school (中心校)
    keeping the village ledger for several schools still has one row per school it keeps."""

    __tablename__ = "school"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(20), unique=True)  # 学校标识码
    county: Mapped[str | None] = mapped_column(String(50))
    township: Mapped[str | None] = mapped_column(String(50))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Term(Audited, Base):
    """学年学期: code `2026-2027-1`."""

    __tablename__ = "term"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(11), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)


class Township(Audited, Base):
    """乡(镇)."""

    __tablename__ = "township"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    code: Mapped[str | None] = mapped_column(String(12))  # 统计用区划代码
    villages: Mapped[list[Village]] = relationship(back_populates="township", order_by="Village.name")


class Village(Audited, Base):
    """村(居)."""

    __tablename__ = "village"
    __table_args__ = (UniqueConstraint("township_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    code: Mapped[str | None] = mapped_column(String(12))
    township: Mapped[Township] = relationship(back_populates="villages")
    households: Mapped[list[Household]] = relationship(back_populates="village")


class Household(Audited, Base):
    """户: a registered household in a village (户籍台账)."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("village_id", "household_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    household_no: Mapped[str | None] = mapped_column(String(40))  # 户编号
    head_name: Mapped[str] = mapped_column(String(50))  # 户主姓名
    head_id_number: Mapped[str | None] = mapped_column(String(18))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)  # made by
    village: Mapped[Village] = relationship(back_populates="households")
    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="HouseholdMember.id"
    )


class HouseholdMember(Audited, Base):
    """A member of a household; school-age children are the point. `student_id` links a member who
    is enrolled in this school to the student ledger; others carry the school they attend."""

    __tablename__ = "household_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    person_key: Mapped[str | None] = mapped_column(String(30), index=True)
    relation: Mapped[str | None] = mapped_column(String(20))  # 与户主关系
    sex: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    school_name: Mapped[str | None] = mapped_column(String(100))  # 就读学校 when not in this school
    schooling: Mapped[str | None] = mapped_column(String(30))  # 在校生状况 as the list says it
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id", ondelete="SET NULL"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)  # made by
    household: Mapped[Household] = relationship(back_populates="members")
    student: Mapped[Student | None] = relationship(back_populates="household_links")


class Student(Audited, Base):
    """学籍台账: one row per student, with every field a 学籍 export carries."""

    __tablename__ = "student"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(30), unique=True)  # ID number, else student number
    id_type: Mapped[str] = mapped_column(String(20), default="居民身份证")
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    student_no: Mapped[str | None] = mapped_column(String(30), unique=True)  # 全国学籍号
    name: Mapped[str] = mapped_column(String(50))
    name_pinyin: Mapped[str] = mapped_column(String(120), index=True)
    name_initials: Mapped[str] = mapped_column(String(30), index=True)
    # the order of a class roll: pinyin syllable by syllable (every 李 before every 刘), see domain.pinyin
    name_sort: Mapped[str] = mapped_column(String(160), index=True, server_default="")
    sex: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(20))  # 民族
    stage: Mapped[str] = mapped_column(String(12))  # preschool/primary/junior/senior/vocational
    grade: Mapped[int] = mapped_column(Integer)  # -2..12, see domain.grades
    class_name: Mapped[str] = mapped_column(String(30))  # 1班
    status: Mapped[StudentStatus] = mapped_column(_enum(StudentStatus), default=StudentStatus.ENROLLED)
    status_changed_on: Mapped[date | None] = mapped_column(Date)
    status_note: Mapped[str | None] = mapped_column(String(200))  # where to, why
    boarding: Mapped[bool] = mapped_column(Boolean, default=False)  # 住校
    enrolled_on: Mapped[str | None] = mapped_column(String(7))  # 入学年月 YYYY-MM
    hukou_address: Mapped[str | None] = mapped_column(String(200))  # 户口所在地
    hukou_township: Mapped[str | None] = mapped_column(String(50))
    hukou_village: Mapped[str | None] = mapped_column(String(50))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), index=True)
    current_address: Mapped[str | None] = mapped_column(String(200))  # 现住址
    guardian_name: Mapped[str | None] = mapped_column(String(50))
    guardian_relation: Mapped[str | None] = mapped_column(String(20))
    guardian_phone: Mapped[str | None] = mapped_column(String(30))
    bank_name: Mapped[str | None] = mapped_column(String(50))
    bank_account: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)  # made by
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    village: Mapped[Village | None] = relationship()
    household_links: Mapped[list[HouseholdMember]] = relationship(back_populates="student")
    awards: Mapped[list[Award]] = relationship(back_populates="student", cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_student_grade_class", "grade", "class_name"),
        # the ledger's display order (grade, 2班 before 10班, pinyin): the table's id list and the
        # exports read the index instead of sorting the whole school
        Index(
            "ix_student_display_order",
            "grade",
            func.length(text("class_name")),
            "class_name",
            "name_sort",
            "id",
        ),
    )

    # Optimistic locking: every ORM update says `WHERE version = <the version read>` and bumps it, so
    # two clerks saving the same student cannot overwrite each other silently (safety/locks.py
    # turns the ORM's StaleDataError into a Chinese ConcurrentEdit).
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class PriorityGroup(Audited, Base):
    """A priority group (脱贫家庭, 低保, 孤儿 …) from resources/policies/groups.toml."""

    __tablename__ = "priority_group"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    priority: Mapped[bool] = mapped_column(Boolean, default=True)  # assessed first and in full
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str | None] = mapped_column(Text)


class GroupMembership(Audited, Base):
    """A fact: this person belongs to this group, known from this source on this date. Keyed by
    person_key (not by student) because outside lists name people who may be in no ledger."""

    __tablename__ = "group_membership"
    __table_args__ = (UniqueConstraint("person_key", "group_code", "source_kind", "source_label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_key: Mapped[str] = mapped_column(String(30), index=True)
    group_code: Mapped[str] = mapped_column(ForeignKey("priority_group.code"), index=True)
    source_kind: Mapped[SourceKind] = mapped_column(_enum(SourceKind))
    source_label: Mapped[str] = mapped_column(String(100), default="")
    known_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(30))  # 继续享受政策 / 风险未消除 …
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # the status still qualifies
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)  # made by
    group: Mapped[PriorityGroup] = relationship()


class ListSnapshot(Audited, Base):
    """One import of an outside list (乡村振兴局脱贫户名单, 民政局低保名单 …) as it was on a date.
    Group memberships of source kind LIST derive from the latest snapshot of each source."""

    __tablename__ = "list_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_label: Mapped[str] = mapped_column(String(100), index=True)
    list_kind: Mapped[str] = mapped_column(String(20))  # poverty / civil / disabled / other
    file_name: Mapped[str] = mapped_column(String(200))
    sheet: Mapped[str | None] = mapped_column(String(100))
    known_on: Mapped[date] = mapped_column(Date)  # the date the list is as of
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(60))
    rows: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)  # made by
    entries: Mapped[list[ListEntry]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", order_by="ListEntry.row"
    )


class ListEntry(Base):
    """One row of a list snapshot, as the list states it (kept even for people in no ledger)."""

    __tablename__ = "list_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("list_snapshot.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)  # the row number in the file
    person_key: Mapped[str] = mapped_column(String(30), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    township: Mapped[str | None] = mapped_column(String(50))
    village: Mapped[str | None] = mapped_column(String(50))
    household_no: Mapped[str | None] = mapped_column(String(40))
    head_name: Mapped[str | None] = mapped_column(String(50))
    relation: Mapped[str | None] = mapped_column(String(20))
    group_code: Mapped[str | None] = mapped_column(String(30))
    category: Mapped[str | None] = mapped_column(String(50))  # the list's own words: 农村低保, 监测户 …
    status: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    school_name: Mapped[str | None] = mapped_column(String(100))
    schooling: Mapped[str | None] = mapped_column(String(30))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    snapshot: Mapped[ListSnapshot] = relationship(back_populates="entries")


class PolicyFamily(Audited, Base):
    """Policies that are one programme to the user (生活补助 = stage × boarding), with its aliases."""

    __tablename__ = "policy_family"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    aliases: Mapped[list[str]] = mapped_column(default=list)


class Policy(Audited, Base):
    """An aid policy item (资助项目) of the catalogue in resources/policies/, kept in step with the
    files on start (aidoffice.catalogue.sync_catalogue)."""

    __tablename__ = "policy"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    stage: Mapped[str] = mapped_column(String(12))
    amount_rule: Mapped[dict[str, Any]] = mapped_column()  # {"kind": "fixed", "annual": "1500"} …
    boarding: Mapped[str] = mapped_column(String(8), default="any")  # any / boarding / day
    eligible_groups: Mapped[list[str]] = mapped_column(default=list)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    letter_text: Mapped[str | None] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    family: Mapped[str | None] = mapped_column(ForeignKey("policy_family.code"))
    # for the stage's leaving class about the next stage (新生入学资助 for 高三): see publicity.content
    for_leavers: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Award(Audited, Base):
    """Aid paid to a student for one term (资助发放)."""

    __tablename__ = "award"
    __table_args__ = (UniqueConstraint("student_id", "policy_id", "term_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    paid_on: Mapped[date | None] = mapped_column(Date)
    batch: Mapped[str | None] = mapped_column(String(60))  # the payment batch as the list names it
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)  # imported by
    note: Mapped[str | None] = mapped_column(String(200))  # why the amount differs, why added (roster review)
    student: Mapped[Student] = relationship(back_populates="awards")
    policy: Mapped[Policy] = relationship()
    term: Mapped[Term] = relationship()


def _audit_pending(context: Any) -> str:
    """A token naming the writing transaction, kept on its connection until commit: the sealer seals
    exactly the entries carrying it, so a row inserted behind the app's back is never sealed."""
    import secrets

    info = context.connection.info
    token = info.get("audit_pending")
    if token is None:
        token = info["audit_pending"] = secrets.token_hex(8)
    return token


class ImportBatch(Base):
    """One batch of rows written together: an imported file (its name and SHA-256), a demo fill, a
    confirmed roster. Rows it created carry its id, and so do the audit entries of rows it changed."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # students / households / list / awards / demo …
    file_name: Mapped[str | None] = mapped_column(String(200))
    fingerprint: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the file's bytes
    sheet: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(200))


class AuditEntry(Base):
    """留痕: who changed what, when, with the values before and after."""

    __tablename__ = "audit_entry"
    # sign-in replays one account's sealed entries, `check` the security settings (safety/sealed.py)
    __table_args__ = (Index("ix_audit_entry_action_entity", "action", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(20))  # insert / update / delete / bulk_insert / export …
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(200))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)
    # the child an entry is about (a student, their award, problem or recovery): the per-student filter
    # reads it, so it still finds the entries of an award that is gone (no foreign key: entries outlive rows)
    student_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The hash chain (aidoffice/db/audit_chain.py): `pending` marks entries this app wrote in a
    # transaction not yet committed; at commit they get the next `chain_seq` and a `chain_hash` over
    # their content and the previous entry's hash, so `check` finds an entry edited or deleted later.
    chain_seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    chain_hash: Mapped[str | None] = mapped_column(String(64))
    pending: Mapped[str | None] = mapped_column(String(16), index=True, default=_audit_pending)


class User(Base):
    """An account (账户): who signs in, with which role and, for a head teacher, which classes.
    Not `Audited` row by row (the password hash must never reach the audit trail): the account
    services record each change as a described event instead."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(40), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters
    role: Mapped[str] = mapped_column(String(30))  # a role code of resources/security/roles.toml
    classes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[grade, "1班"], …] for 班主任
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sign_in: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())


class AppSetting(Base):
    """Settings that belong to the database rather than to one PC (the idle sign-out time, single-clerk
    mode, the audit chain's head), shared by every clerk of a PostgreSQL database."""

    __tablename__ = "app_setting"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class OperationLock(Base):
    """Who holds an exclusive operation (an import) and since when, so a second clerk is told
    “另一项导入正在进行（张老师，自 10:32 起）”. On PostgreSQL an advisory lock held by the same
    process is the real lock; this row only names the holder."""

    __tablename__ = "operation_lock"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(60))
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int] = mapped_column(Integer)
    since: Mapped[datetime] = mapped_column(DateTime)


# ---- the "1222" publicity (aidoffice.publicity) ------------------------------------------------------


class PublicityBatch(Base):
    """One produced document (a batch of letters, the poster, the public notice, a handout, an
    inspection pack): who made it, when, what it covers, and the SHA-256 of the file, with the inputs
    that reproduce it byte for byte (`params`: letter date, template texts, contacts …)."""

    __tablename__ = "publicity_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # policy / aid / poster / notice / …
    term_code: Mapped[str | None] = mapped_column(String(11), index=True)
    scope: Mapped[str] = mapped_column(String(60), default="")  # 全校 / 七年级 / 七年级1班
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    file_name: Mapped[str] = mapped_column(String(260))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the file's bytes
    pages: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)  # letters, notice rows …
    actor: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class Slip(Audited, Base):
    """A return slip (回执) printed on a letter: one per student, letter kind and term, so a batch made
    again prints the same code. `answer`: apply/decline (policy letter), agree/object (aid letter)."""

    __tablename__ = "slip"
    __table_args__ = (
        UniqueConstraint("student_id", "kind", "term_id"),
        Index("ix_slip_term_kind", "term_id", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # policy / aid
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("publicity_batch.id"))  # first printed in
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_by: Mapped[str | None] = mapped_column(String(60))
    answer: Mapped[str | None] = mapped_column(String(10))
    objection: Mapped[str | None] = mapped_column(Text)  # what the family objects to (有异议：……)
    student: Mapped[Student] = relationship()
    term: Mapped[Term] = relationship()


class SlipScan(Audited, Base):
    """A slip read from a scanned stack (回执扫描): registered at once when its code and answer were
    certain, else queued with the reason until the clerk decides (status queued → resolved/skipped).
    `fingerprint` (the page's pixels and the slip's place on it) makes a stack scanned again change
    nothing. The images are kept apart (SlipScanImage), out of the audit trail."""

    __tablename__ = "slip_scan"
    __table_args__ = (Index("ix_slip_scan_status", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str | None] = mapped_column(String(8), index=True)
    slip_id: Mapped[int | None] = mapped_column(ForeignKey("slip.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(255))  # the scanned file's name
    page: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # registered / queued / resolved / skipped
    reason: Mapped[str | None] = mapped_column(String(20))  # omr.Reason while queued
    read_answer: Mapped[str | None] = mapped_column(String(10))  # what the boxes said, if anything
    answer: Mapped[str | None] = mapped_column(String(10))  # what was registered
    note_ink: Mapped[bool] = mapped_column(Boolean, default=False)  # writing on the 有异议 line
    scanned_at: Mapped[datetime] = mapped_column(DateTime)
    scanned_by: Mapped[str | None] = mapped_column(String(60))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(60))


class SlipScanImage(Base):
    """The straightened picture of a scanned slip and of its 有异议 line (PNG)."""

    __tablename__ = "slip_scan_image"
    scan_id: Mapped[int] = mapped_column(ForeignKey("slip_scan.id", ondelete="CASCADE"), primary_key=True)
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    note: Mapped[bytes | None] = mapped_column(LargeBinary)


class ClassSession(Audited, Base):
    """A policy class (两节课): at entry to a stage on its policies, before leaving on the next stage's."""

    __tablename__ = "class_session"
    __table_args__ = (Index("ix_class_session_term_class", "term_id", "grade", "class_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"))
    held_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(12))
    grade: Mapped[int] = mapped_column(Integer)
    class_name: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10))  # entry / leaving
    teacher: Mapped[str] = mapped_column(String(50))
    topic: Mapped[str] = mapped_column(String(200))
    attendance: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int | None] = mapped_column(Integer)  # the class's size that day
    notes: Mapped[str | None] = mapped_column(Text)
    term: Mapped[Term] = relationship()


# ---- the comparison (双向比对), the school's assessment and the problem list ----------------------


class HardshipAssessment(Audited, Base):
    """家庭经济困难学生认定: the school's decision on one student for one school year (level, date, who).
    It becomes a group fact of source ASSESSMENT (aidoffice.ledgers.assessments)."""

    __tablename__ = "hardship_assessment"
    __table_args__ = (UniqueConstraint("student_id", "school_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    person_key: Mapped[str] = mapped_column(String(30), index=True)  # the key its group fact is filed under
    school_year: Mapped[str] = mapped_column(String(9))  # 2026-2027
    level: Mapped[str] = mapped_column(String(12))  # special / relative / general / none
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)  # imported by
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class PersonLink(Audited, Base):
    """Two records of one child linked while a department corrects the ID it mistyped (请更正): the
    department's number counts as the number on the school's records, so the child's groups from that
    list count and the roster is not held up. Made when the typo finding is marked as sent to the
    department; the problem stays open until the corrected list comes back."""

    __tablename__ = "person_link"
    __table_args__ = (UniqueConstraint("from_key", "to_key", "source_label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    from_key: Mapped[str] = mapped_column(String(30), index=True)  # the department's (mistyped) number
    to_key: Mapped[str] = mapped_column(String(30), index=True)  # the number on the school's records
    source_label: Mapped[str] = mapped_column(String(100))  # the department whose list has it
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id", ondelete="SET NULL"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    sent_by: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)


class StudyElsewhere(Audited, Base):
    """在外就读: a school-age child of the villages served who is not in this school's ledger, verified
    by the clerk as studying at another school. One current record per child; re-verifying updates it."""

    __tablename__ = "study_elsewhere"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_key: Mapped[str] = mapped_column(String(30), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    school_name: Mapped[str] = mapped_column(String(100))
    place: Mapped[str | None] = mapped_column(String(100))  # 县内 / 县外（市） / 省外（省） …
    verified_on: Mapped[date] = mapped_column(Date)
    verified_by: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class ProblemStatus(enum.Enum):
    OPEN = "open"  # 待处理
    IN_PROGRESS = "in_progress"  # 处理中
    CLOSED = "closed"  # 已销号


PROBLEM_STATUS_NAMES = {
    ProblemStatus.OPEN: "待处理",
    ProblemStatus.IN_PROGRESS: "处理中",
    ProblemStatus.CLOSED: "已销号",
}


class Problem(Audited, Base):
    """问题清单: one finding of the comparison as a problem someone works on and ticks off (销号).
    `identity` (kind + person + scope + what) lets a re-run recognise the same problem."""

    __tablename__ = "problem"
    __table_args__ = (Index("ix_problem_scope_status", "scope", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    scope: Mapped[str] = mapped_column(String(11), default="")  # "" / school year / term code
    person_key: Mapped[str] = mapped_column(String(30), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id", ondelete="SET NULL"), index=True)
    policy_code: Mapped[str | None] = mapped_column(String(40))
    grade: Mapped[int | None] = mapped_column(Integer)
    class_name: Mapped[str | None] = mapped_column(String(30))
    village: Mapped[str | None] = mapped_column(String(50))
    group_codes: Mapped[str | None] = mapped_column(String(300))  # ",dibao,orphan," for LIKE filters
    rank: Mapped[int] = mapped_column(Integer, default=2)  # 1 first
    detail: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[ProblemStatus] = mapped_column(_enum(ProblemStatus), default=ProblemStatus.OPEN)
    still_present: Mapped[bool] = mapped_column(Boolean, default=True)  # the latest run still found it
    first_seen_on: Mapped[date] = mapped_column(Date)
    last_seen_on: Mapped[date] = mapped_column(Date)
    assigned_to: Mapped[str | None] = mapped_column(String(60))
    taken_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(String(60))
    closed_by: Mapped[str | None] = mapped_column(String(60))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    notes: Mapped[list[ProblemNote]] = relationship(
        back_populates="problem", cascade="all, delete-orphan", order_by="ProblemNote.id"
    )


class ProblemNote(Audited, Base):
    """The history of a problem in words: taken, a note, closed with a resolution, reopened, seen
    again by a re-run. Never edited or deleted, so nothing a clerk wrote is lost."""

    __tablename__ = "problem_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(20))  # take / note / close / reopen / rerun / fix
    text: Mapped[str] = mapped_column(Text)
    problem: Mapped[Problem] = relationship(back_populates="notes")


class RecoveryStatus(enum.Enum):
    PENDING = "pending"  # 待收回
    DONE = "done"  # 已收回


RECOVERY_STATUS_NAMES = {RecoveryStatus.PENDING: "待收回", RecoveryStatus.DONE: "已收回"}
RECOVERY_METHODS = ("退回", "抵扣", "其他")  # how the money came back (退回：家长退回；抵扣：下次发放中扣除)


class Recovery(Audited, Base):
    """收回: a paid award the roster review took away. The award (money already paid) is kept; the
    recovery says what must come back and why, and, once done, when and how. Names and the project are
    copied in, so the record reads the same whatever happens to the ledger later."""

    __tablename__ = "recovery"
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int | None] = mapped_column(
        ForeignKey("award.id", ondelete="SET NULL"), unique=True, index=True
    )
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id", ondelete="SET NULL"), index=True)
    person_key: Mapped[str] = mapped_column(String(30), index=True)
    name: Mapped[str] = mapped_column(String(50))
    policy_code: Mapped[str] = mapped_column(String(40))
    policy_name: Mapped[str] = mapped_column(String(60))
    term_code: Mapped[str] = mapped_column(String(11), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[RecoveryStatus] = mapped_column(_enum(RecoveryStatus), default=RecoveryStatus.PENDING)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)  # the review
    done_on: Mapped[date | None] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String(20))  # 退回 / 抵扣 / 其他
    done_note: Mapped[str | None] = mapped_column(String(200))
    done_by: Mapped[str | None] = mapped_column(String(60))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    award: Mapped[Award | None] = relationship()


# ---- 控辍保学: dropout cases (aidoffice.casework) ------------------------------------------------------


class CaseStatus(enum.Enum):
    OPEN = "open"  # 劝返中
    CLOSED = "closed"  # 已结案


CASE_STATUS_NAMES = {CaseStatus.OPEN: "劝返中", CaseStatus.CLOSED: "已结案"}


class DropoutCase(Audited, Base):
    """一人一案: one child out of school and the school's plan to bring the child back. Names and places
    are copied in, so a case of a child in no ledger (a 需核实去向 finding, a child of a served village
    found by hand) reads the same as one opened from the student ledger. A child who leaves again
    reopens the same case: its history stays in one place."""

    __tablename__ = "dropout_case"
    __table_args__ = (Index("ix_dropout_case_status_village", "status", "village_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_key: Mapped[str] = mapped_column(String(30), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id", ondelete="SET NULL"), index=True)
    grade: Mapped[int | None] = mapped_column(Integer)  # the class when it opened (a head teacher's scope)
    class_name: Mapped[str | None] = mapped_column(String(30))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), index=True)
    township: Mapped[str | None] = mapped_column(String(50))
    village: Mapped[str | None] = mapped_column(String(50))
    guardian_name: Mapped[str | None] = mapped_column(String(50))
    guardian_phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(12))  # ledger / finding / manual
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # 厌学/学习困难, 家庭经济 … (casework.cases.REASONS)
    reason_note: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[str | None] = mapped_column(Text)  # the plan (一人一案)
    left_on: Mapped[date | None] = mapped_column(Date)  # when the child stopped coming
    opened_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(60))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), default=CaseStatus.OPEN)
    next_due: Mapped[date | None] = mapped_column(Date)  # the next action is due by
    escalated_on: Mapped[date | None] = mapped_column(Date)  # reported to the township and county
    outcome: Mapped[str | None] = mapped_column(String(20))  # 复学 / 送教上门 / 转学 / 因病缓学 / 其他
    outcome_note: Mapped[str | None] = mapped_column(Text)  # receiving school, certificate …
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(60))
    times_opened: Mapped[int] = mapped_column(Integer, default=1)
    people: Mapped[list[CasePerson]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CasePerson.id"
    )
    actions: Mapped[list[CaseAction]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseAction.id"
    )


class CasePerson(Audited, Base):
    """A person responsible for a case (包保责任人): a role (班主任, 校长, 村干部 … as configured), name, phone."""

    __tablename__ = "case_person"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dropout_case.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    case: Mapped[DropoutCase] = relationship(back_populates="people")


class CaseAction(Audited, Base):
    """The history of a case, never edited: opened, each action (家访/电话/约谈 …) with what was said and
    the result, notices printed with their deadline, escalation, closing and reopening."""

    __tablename__ = "case_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dropout_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # open / act / notice / escalate / close / reopen
    on: Mapped[date] = mapped_column(Date)
    who: Mapped[str] = mapped_column(String(60))
    way: Mapped[str | None] = mapped_column(String(20))  # 家访 / 电话 / 约谈 / 复学通知书 …
    said: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date)  # a notice's deadline, the next step's date
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    case: Mapped[DropoutCase] = relationship(back_populates="actions")


# ---- contact duties and home visits (三包与家访, aidoffice.casework) ------------------------------------


class ContactDuty(Audited, Base):
    """包保责任: a named teacher responsible for reaching a served village (包村), a household (包户) or
    a student (包人) from `starts_on`. Ending a duty (the teacher left, the clerk reassigned it) sets
    `ends_on`; the row stays, so who covered whom in any month can still be read."""

    __tablename__ = "contact_duty"
    id: Mapped[int] = mapped_column(primary_key=True)
    teacher: Mapped[str] = mapped_column(String(50), index=True)  # the name the clerk knows them by
    teacher_login: Mapped[str | None] = mapped_column(String(40))  # their account, when they have one
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(200))


class Visit(Audited, Base):
    """家访/联系记录: one contact with a household (or a student's family): when, who, how, what was said,
    the needs the family raised and what follows. The head's name is copied in so the record reads the
    same if the household roster is re-imported."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_household_day", "household_id", "visited_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id", ondelete="SET NULL"), index=True)
    family_name: Mapped[str] = mapped_column(String(50))  # 户主 or the student, as it was that day
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    teacher: Mapped[str] = mapped_column(String(50))
    way: Mapped[str] = mapped_column(String(10))  # 家访 / 电话 / 微信 / 到校面谈
    said: Mapped[str] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id", ondelete="SET NULL"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


# Row ids are never reused: the audit trail names rows by id, so a deleted row's id given to another
# child would make the trail point at the wrong child. PostgreSQL's sequences never go back; SQLite
# needs AUTOINCREMENT (without it a new row takes the highest id + 1, reusing a deleted last id).
NEVER_REUSED = tuple(
    sorted(
        t.name
        for m in Base.registry.mappers
        if issubclass(m.class_, Audited)
        for t in [m.local_table]
        if len(t.primary_key.columns) == 1 and isinstance(next(iter(t.primary_key.columns)).type, Integer)
    )
)
for _name in NEVER_REUSED:
    Base.metadata.tables[_name].dialect_options["sqlite"]["autoincrement"] = True


def award_stands() -> ColumnElement[bool]:
    """An award that still counts as aid given: no recovery (收回) recorded against it, to be done or
    done. Letters, the 公示 and the ledgers' 受助 counts keep to it; the comparison and the problem list
    see recoveries themselves (a pending one keeps its problem open)."""
    return ~exists().where(Recovery.award_id == Award.id)
