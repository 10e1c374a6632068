"""Typed errors of the core. Each carries where the problem is; `str()` is the Chinese message the
CLI prints and the GUI shows."""

from __future__ import annotations

from dataclasses import dataclass


class AidofficeError(Exception):
    """A normal, expected failure with a message for the user (exit status 1 in the CLI)."""


class OperationCancelled(AidofficeError):
    def __init__(self) -> None:
        super().__init__("操作已取消，没有写入任何数据。")


@dataclass
class FieldProblem:
    field: str  # the Chinese field name the user sees, e.g. 身份证件号
    message: str


class ValidationError(AidofficeError):
    """A record the user entered or a service was given breaks a rule; lists every problem."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("；".join(f"{p.field}：{p.message}" for p in problems))


class NotFound(AidofficeError):
    pass


class InputRefused(AidofficeError):
    """An input file or argument was refused as a whole; nothing was written."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        cli_hint: str = "",
    ):
        self.file, self.sheet, self.row, self.column = file, sheet, row, column
        # what the command line adds (its flag or command); the message itself speaks the GUI's words
        self.cli_hint = cli_hint
        where = "，".join(
            part
            for part in (
                f"文件「{file}」" if file else "",
                f"工作表「{sheet}」" if sheet else "",
                f"第 {row} 行" if row else "",
                f"「{column}」列" if column else "",
            )
            if part
        )
        super().__init__(f"{where}：{message}" if where else message)


class WrongFileKind(InputRefused):
    """The file chosen is another kind of file than the one asked for. `str()` speaks the GUI's words
    (the kind's name as the 文件种类 list shows it); `cli_hint` names the command for the CLI."""

    def __init__(self, message: str, *, asked: str, looks_like: str, cli_hint: str, **where: str | None):
        self.asked, self.looks_like = asked, looks_like
        self.details = {"looks_like": looks_like}
        super().__init__(message, cli_hint=cli_hint, **where)  # type: ignore[arg-type]


class SchoolCodeMismatch(InputRefused):
    """Every row of a 学籍 export carries another school code than the school's: one message for the
    file (the school's code may be set wrong), never a refusal on each row."""

    def __init__(self, message: str, *, found: str, expected: str, cli_hint: str, **where: str | None):
        self.found, self.expected = found, expected
        self.details = {"school_code_in_file": found, "school_code": expected}
        super().__init__(message, cli_hint=cli_hint, **where)  # type: ignore[arg-type]
