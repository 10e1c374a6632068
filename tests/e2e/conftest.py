"""Fixtures shared by the command-line tests: the office with accounts (a demo school with an
administrator and a head teacher of 七年级1班), on SQLite and on PostgreSQL, built once per session and
copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.e2e.cli import run
from tests.pg import PG_URL, fresh_pg_url

ADMIN_PW = "Mountain-2026"
TEACHER_PW = "Blackboard-7"


def _build_office(home: Path, db: str) -> None:
    """A demo school with an administrator and a head teacher of 七年级1班."""
    assert run("demo", "--students", "200", home=home, db=db).returncode == 0
    r = run(
        "users",
        "add",
        "zhang",
        "--name",
        "张主任",
        "--role",
        "admin",
        home=home,
        db=db,
        AIDOFFICE_NEW_PASSWORD=ADMIN_PW,
    )
    assert r.returncode == 0, r.stderr
    r = run(
        "--user", "zhang", "users", "add", "wang", "--name", "王老师", "--role", "班主任", "--class", "七年级1班",
        home=home, db=db, password=ADMIN_PW, AIDOFFICE_NEW_PASSWORD="Temporary-1",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = run(
        "--user",
        "wang",
        "users",
        "passwd",
        home=home,
        db=db,
        password="Temporary-1",
        AIDOFFICE_NEW_PASSWORD=TEACHER_PW,
    )
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="session")
def office_file(tmp_path_factory) -> Path:
    """The office on SQLite, built once per session (its copies are `office`)."""
    folder = tmp_path_factory.mktemp("office")
    db = folder / "office.db"
    _build_office(folder, str(db))
    import sqlite3

    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture
def office(tmp_path, office_file):
    """The office on SQLite (a fresh copy for each test)."""
    db = tmp_path / "office.db"
    shutil.copy(office_file, db)
    return tmp_path, str(db)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_office(request, tmp_path, office_file):
    """The office on SQLite and on PostgreSQL, for the tests that matter most on both."""
    if request.param == "sqlite":
        return request.getfixturevalue("office")
    template = request.getfixturevalue("pg_office_template")
    worker_id = request.getfixturevalue("worker_id")
    return tmp_path, fresh_pg_url(f"{worker_id}_office", make_url(template).database)


@pytest.fixture(scope="session")
def pg_office_template(tmp_path_factory, worker_id) -> str:
    """The office on PostgreSQL, built once per session; each test gets a copy (`CREATE DATABASE …
    TEMPLATE`), so no test sees another's accounts."""
    if not PG_URL:
        pytest.skip("PostgreSQL 测试已跳过：未设置 AIDOFFICE_TEST_PG_URL（.ci/run 会启动服务器并设置它）")
    db = fresh_pg_url(f"{worker_id}_office_tpl")
    _build_office(tmp_path_factory.mktemp("pg-office"), db)
    return db
