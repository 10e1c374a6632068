"""A workbook whose save failed (a full disk) closes its writers at once. Left to the garbage collector,
each sheet's generator raised while being finalised at some random later moment; in CI that moment fell
inside a compile and Python 3.11 failed an unrelated test with "AST constructor recursion depth mismatch"."""

from __future__ import annotations

import errno
import gc
import sys

import pytest
from openpyxl import Workbook

from aidoffice.files import DiskProblem
from aidoffice.sheets.workbook import Column, StandardWorkbook


def _unraisable(monkeypatch) -> list:
    seen: list = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(repr(u.exc_value)))
    return seen


def _book() -> StandardWorkbook:
    book = StandardWorkbook()
    sheet = book.sheet("表", "标题", [Column("姓名", 10), Column("金额", 10)])
    for i in range(50):
        sheet.append([f"学生{i}", i])
    return book


def test_a_save_that_fails_leaves_nothing_to_raise_later(monkeypatch, tmp_path):
    seen = _unraisable(monkeypatch)

    def full(self, filename):  # the disk fills while the archive is written
        raise OSError(errno.ENOSPC, "No space left on device", str(filename))

    monkeypatch.setattr(Workbook, "save", full)
    book = _book()
    with pytest.raises(DiskProblem, match="磁盘已满"):
        book.save(tmp_path / "a.xlsx")
    del book
    gc.collect()
    assert seen == []
    assert not list(tmp_path.iterdir())


def test_a_fill_that_is_cancelled_leaves_nothing_to_raise_later(monkeypatch):
    seen = _unraisable(monkeypatch)
    with pytest.raises(KeyboardInterrupt), _book():
        raise KeyboardInterrupt  # the clerk pressed 取消 in the middle of the rows
    gc.collect()
    assert seen == []
