"""The editable texts of the letters, poster, handout and public notice (`resources/templates/*.txt`).

The office edits the wording; its copy lives in the data folder's `templates/` (like the catalogue's
`policies/`) and "恢复默认" deletes that copy. The format is described in
`resources/templates/README.md`: one paragraph per line, `#` titles, `##` sections, `- ` items, `> `
right-aligned lines, `{占位符}`, block placeholders alone on a line, and a `=== 回执 ===` part.
A text with an unknown placeholder is refused with its line number, so a typo never reaches a
parent as a literal “{学生名字}”."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from aidoffice.errors import AidofficeError
from aidoffice.files import atomic_path
from aidoffice.paths import data_dir, resources_dir

STAGE_TEMPLATES = {
    "preschool": "policy_preschool",
    "primary": "policy_primary",
    "junior": "policy_junior",
    "senior": "policy_senior",
    "vocational": "policy_vocational",
}
TEMPLATE_NAMES = {
    "policy_preschool": "政策告知书（学前）",
    "policy_primary": "政策告知书（小学）",
    "policy_junior": "政策告知书（初中）",
    "policy_senior": "政策告知书（高中）",
    "policy_vocational": "政策告知书（中职）",
    "aid": "受助情况告知书",
    "poster": "宣传栏海报",
    "handout": "宣讲课讲义",
    "notice": "受助学生公示",
    "return_notice": "复学通知书（控辍保学）",
    "persuade_notice": "劝返告知书（控辍保学）",
}

COMMON = {
    "学校名称", "学生姓名", "年级", "班级", "年级班级", "学段", "下一学段", "学期", "学年", "日期",
    "申请截止", "回执交回", "资助专干", "资助专干电话", "资助办电话", "县资助中心电话", "监督电话", "落款",
}  # fmt: skip
# a dropout case's notices (services.case_notices fills them)
CASE_FIELDS = {
    "监护人",
    "家庭住址",
    "乡镇",
    "村",
    "辍学日期",
    "截止日期",
    "报到地点",
    "班主任",
    "班主任电话",
    "案件编号",
}
INLINE = {
    "policy": COMMON,
    "aid": COMMON | {"合计", "合计大写"},
    "poster": COMMON,
    "handout": COMMON,
    "notice": COMMON | {"公示起", "公示止", "公示天数"},
    "return_notice": COMMON | CASE_FIELDS,
    "persuade_notice": COMMON | CASE_FIELDS,
}
BLOCKS = {
    "policy": {"政策列表", "下一学段政策"},
    "aid": {"资助明细"},
    "poster": {"各学段政策"},
    "handout": {"政策列表", "下一学段政策"},
    "notice": {"公示名单"},
    "return_notice": set(),
    "persuade_notice": set(),
}
MARKERS = {"仅毕业年级", "仅入学年级"}
SLIP_SEPARATOR = "=== 回执 ==="
_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")


def template_kind(name: str) -> str:
    return "policy" if name.startswith("policy_") else name


class TemplateError(AidofficeError):
    def __init__(self, name: str, line: int | None, message: str):
        self.name, self.line = name, line
        where = f"模板“{TEMPLATE_NAMES.get(name, name)}”" + (f"第 {line} 行" if line else "")
        super().__init__(f"{where}：{message}")


@dataclass(frozen=True)
class Block:
    """One line of a template: title, subtitle, heading, para, item, right, block (a block
    placeholder), marker, gap."""

    kind: str
    text: str
    line: int


@dataclass
class Section:
    heading: Block | None
    blocks: list[Block] = field(default_factory=list)

    @property
    def markers(self) -> set[str]:
        return {b.text for b in self.blocks if b.kind == "marker"}


@dataclass
class Slip:
    title: str = "回执"
    statements: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


@dataclass
class Template:
    name: str
    text: str
    sections: list[Section]
    slip: Slip | None

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def shipped_path(name: str) -> Path:
    return resources_dir() / "templates" / f"{name}.txt"


def override_path(name: str) -> Path:
    return data_dir() / "templates" / f"{name}.txt"


def _check_name(name: str) -> None:
    if name not in TEMPLATE_NAMES:
        raise TemplateError(name, None, f"没有这个模板（可用的有：{'、'.join(TEMPLATE_NAMES)}）")


def shipped_text(name: str) -> str:
    _check_name(name)
    return shipped_path(name).read_text("utf-8")


def is_overridden(name: str) -> bool:
    return override_path(name).is_file()


def template_text(name: str) -> str:
    """The office's wording when it has edited the template, else the shipped one."""
    _check_name(name)
    path = override_path(name)
    if path.is_file():
        return path.read_text("utf-8-sig")
    return shipped_text(name)


def save_template(name: str, text: str) -> Template:
    """Check and save the office's wording (refused, with the line, when it has an error)."""
    template = parse(name, text)
    path = override_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(template.text, "utf-8")
    return template


def restore_default(name: str) -> Template:
    """Back to the shipped wording (恢复默认)."""
    _check_name(name)
    path = override_path(name)
    if path.is_file():
        path.unlink()
    return load(name)


def load(name: str, text: str | None = None) -> Template:
    return parse(name, template_text(name) if text is None else text)


def parse(name: str, text: str) -> Template:
    _check_name(name)
    kind = template_kind(name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    body, sep, slip_text = text.partition(SLIP_SEPARATOR)
    if kind in ("policy", "aid") and not sep:
        raise TemplateError(name, None, f"缺少回执部分：请保留单独一行的“{SLIP_SEPARATOR}”及其下面的回执文字")
    inline, blocks = INLINE[kind], BLOCKS[kind]
    sections = [Section(None)]
    previous = ""
    for number, raw in enumerate(body.split("\n"), 1):
        line = raw.strip()
        if not line:
            if sections[-1].blocks and sections[-1].blocks[-1].kind != "gap":
                sections[-1].blocks.append(Block("gap", "", number))
            previous = ""
            continue
        whole = _PLACEHOLDER.fullmatch(line)
        if whole and whole[1].strip() in blocks | MARKERS:
            name_ = whole[1].strip()
            sections[-1].blocks.append(Block("marker" if name_ in MARKERS else "block", name_, number))
            previous = "block"
            continue
        for m in _PLACEHOLDER.finditer(line):
            key = m[1].strip()
            if key in blocks:
                raise TemplateError(name, number, f"“{{{key}}}”是一整块内容，要单独占一行")
            if key not in inline:
                raise TemplateError(
                    name, number, f"不认识的占位符“{{{key}}}”（可用的有：{'、'.join(sorted(inline))}）"
                )
        if "{" in _PLACEHOLDER.sub("", line) or "}" in _PLACEHOLDER.sub("", line):
            raise TemplateError(name, number, "大括号不成对：占位符写作 {学生姓名}")
        if line.startswith("## "):
            sections.append(Section(Block("heading", line[3:].strip(), number)))
            previous = "heading"
        elif line.startswith("# "):
            kind_ = "subtitle" if previous in ("title", "subtitle") else "title"
            sections[-1].blocks.append(Block(kind_, line[2:].strip(), number))
            previous = kind_
        elif line.startswith(("- ", "· ", "• ")):
            sections[-1].blocks.append(Block("item", line[2:].strip(), number))
            previous = "item"
        elif line.startswith("> "):
            sections[-1].blocks.append(Block("right", line[2:].strip(), number))
            previous = "right"
        else:
            sections[-1].blocks.append(Block("para", line, number))
            previous = "para"
    slip = None
    if sep:
        slip = Slip()
        offset = body.count("\n") + 1
        for number, raw in enumerate(slip_text.split("\n"), offset):
            line = raw.strip()
            if not line:
                continue
            for m in _PLACEHOLDER.finditer(line):
                if m[1].strip() not in inline:
                    raise TemplateError(name, number, f"回执中不认识的占位符“{{{m[1]}}}”")
            if line.startswith("# "):
                slip.title = line[2:].strip()
            elif line.startswith(("□", "☐")):
                slip.options.append(line[1:].strip())
            else:
                slip.statements.append(line)
        if len(slip.options) != 2:
            raise TemplateError(
                name,
                offset,
                "回执应有两个以 □ 开头的选项（如“□ 符合条件，申请资助”和“□ 不符合条件，不申请”）",
            )
    return Template(name, text, sections, slip)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace inline placeholders; an unknown one stays as written (parse() has refused those)."""
    if "{" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: values.get(m[1].strip(), m[0]), text)
