"""Working side by side: concurrent edits conflict visibly, one import at a time, one program per file."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, text

from aidoffice import clock
from aidoffice.db.models import OperationLock, Student
from aidoffice.ledgers.students import StudentInput, add_student, update_student
from aidoffice.safety.locks import (
    ConcurrentEdit,
    DatabaseInUse,
    OperationBusy,
    edits_checked,
    exclusive,
    expect_version,
    instance_lock,
)
from tests.factories import student


def _one_student(db) -> int:
    with db.unit_of_work(actor="李老师") as s:
        return add_student(s, 1, student("王小明", guardian_phone="13800000000")).id


def test_two_clerks_saving_the_same_student_conflict_visibly(school_db):
    """Both opened 王小明; the first save wins, the second is refused with who and when — never a
    silent overwrite of the first clerk's change."""
    db = school_db
    sid = _one_student(db)
    first, second = db.sessions(), db.sessions()
    try:
        first.info["actor"], second.info["actor"] = "张老师", "李老师"
        a, b = first.get(Student, sid), second.get(Student, sid)
        a.guardian_phone = "13900000001"
        first.commit()
        b.guardian_phone = "13700000002"
        with (
            pytest.raises(ConcurrentEdit, match=r"张老师 于 .*修改了学生“王小明”的信息"),
            edits_checked(db, sid),
        ):
            second.commit()
    finally:
        first.close()
        second.close()
    with db.reading() as s:
        assert s.get(Student, sid).guardian_phone == "13900000001"


def test_a_form_loaded_before_someone_elses_save_is_refused(school_db):
    """The form carries the version it showed; saving it after another change is a conflict too."""
    db = school_db
    sid = _one_student(db)
    with db.reading() as s:
        shown = s.get(Student, sid)
        loaded_version = shown.version
        form = StudentInput.from_student(shown)
    form.guardian_phone = "13900000001"
    with db.unit_of_work(actor="张老师") as s:
        update_student(s, sid, form)
    form.guardian_phone = "13700000002"
    with pytest.raises(ConcurrentEdit, match="张老师"), db.unit_of_work(actor="李老师") as s:
        expect_version(s, s.get(Student, sid), loaded_version)
        update_student(s, sid, form)


def test_a_second_import_is_told_who_is_importing_and_since_when(db):
    """Two imports at once would interleave; the second clerk learns who imports since when, other work goes on."""
    with exclusive(db, "import", holder="张老师"):
        with (
            pytest.raises(OperationBusy, match=r"另一项导入正在进行（张老师，自 .* 起"),
            exclusive(db, "import", holder="李老师"),
        ):
            pass
        with exclusive(db, "batch", holder="李老师"):  # other operations are not held up
            pass
    with exclusive(db, "import", holder="李老师"):  # free again once the first has finished
        pass


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_lock_row_left_by_a_dead_importer_is_taken_over(db):
    """A clerk's PC crashed mid-import: its row stays, but the server dropped its advisory lock."""

    with db.engine.begin() as conn:
        conn.execute(
            OperationLock.__table__.insert().values(
                name="import", holder="断电的电脑", host="pc1", pid=1, since=clock.now()
            )
        )
    with exclusive(db, "import", holder="李老师"), db.reading() as s:
        assert s.scalar(select(OperationLock.holder)) == "李老师"
    with db.reading() as s:
        assert s.scalar(select(OperationLock.holder)) is None


def _hold_import(url: str, ready, release) -> None:  # runs in another process
    from aidoffice.db.engine import Database
    from aidoffice.safety.locks import exclusive

    database = Database(url)
    with exclusive(database, "import", holder="另一台电脑的张老师"):
        ready.set()
        release.wait(30)
    database.dispose()


def test_an_import_in_another_process_holds_off_this_one(db):
    """Clerks on two PCs share one database; an import on the other PC holds this one off until it ends."""
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_import, args=(db.url, ready, release))
    proc.start()
    try:
        assert ready.wait(60)
        with pytest.raises(OperationBusy, match="另一台电脑的张老师"), exclusive(db, "import"):
            pass
    finally:
        release.set()
        proc.join(30)
    with exclusive(db, "import"):
        pass


def test_a_second_program_on_the_same_file_is_told_who_has_it(tmp_path, sqlite_template):
    """Two programs writing one SQLite file risk damaging it; the second is told which process has it open."""
    import shutil

    from aidoffice.db.engine import Database

    path = tmp_path / "office.db"
    shutil.copy(sqlite_template, path)
    db = Database(str(path))
    held = instance_lock(db)
    try:
        code = (
            "import sys; from aidoffice.db.engine import Database; from aidoffice.safety.locks import instance_lock\n"
            "try:\n    instance_lock(Database(sys.argv[1]))\nexcept Exception as e:\n    print(e); sys.exit(1)\n"
        )
        r = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 1
        assert "已被另一个程序窗口打开" in r.stdout and f"进程 {os.getpid()}" in r.stdout
    finally:
        held.release()
    again = instance_lock(db)  # released: the next start gets it
    again.release()
    db.dispose()


def test_a_lock_file_left_by_a_killed_program_is_taken_over(tmp_path, sqlite_template):
    """A crash leaves the file, not the OS lock: the next start must not be refused forever."""
    import shutil

    from aidoffice.db.engine import Database

    path = tmp_path / "office.db"
    shutil.copy(sqlite_template, path)
    code = (
        "import os, sys; from aidoffice.db.engine import Database; from aidoffice.safety.locks import instance_lock\n"
        "instance_lock(Database(sys.argv[1])); os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], timeout=60)
    assert (tmp_path / "office.db.lock").read_text("utf-8")
    db = Database(str(path))
    lock = instance_lock(db)
    lock.release()
    db.dispose()


def test_in_use_message_names_the_holder():
    """A clerk kept out needs to know whom to ask to close the program: the user, the PC, since when, the process."""
    from pathlib import Path

    err = DatabaseInUse(
        Path("a.db"), {"user": "zhang", "host": "pc1", "pid": 42, "since": "2026-11-27T08:00:00"}
    )
    assert "zhang 在 pc1 上（自 2026-11-27 08:00 起，进程 42）" in str(err)


def test_versions_count_up_with_each_save(school_db):
    """Conflicts are found by the version each save raises; without it a stale form would overwrite silently."""
    sid = _one_student(school_db)
    with school_db.unit_of_work() as s:
        s.get(Student, sid).notes = "一"
    with school_db.unit_of_work() as s:
        s.get(Student, sid).notes = "二"
    with school_db.reading() as s:
        assert s.execute(text("SELECT version FROM student WHERE id = :i"), {"i": sid}).scalar() == 3


def test_a_busy_import_names_the_signed_in_account_not_the_computer(db):
    """Clerks share one Windows login on the office PC: the message must name the account importing."""
    from aidoffice.access.checks import Principal, bind_user

    bind_user(db, Principal(1, "zhang", "张老师", "clerk"))
    try:
        with exclusive(db, "import"):
            bind_user(db, None)
            with pytest.raises(OperationBusy, match=r"另一项导入正在进行（zhang，"), exclusive(db, "import"):
                pass
    finally:
        bind_user(db, None)
