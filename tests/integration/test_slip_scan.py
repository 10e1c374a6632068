"""A stack of returned slips scanned on the office copier: the certain ones registered, the doubtful
ones queued with their picture, nothing registered twice or wrongly, and objections in the problem list."""

from __future__ import annotations

import json
import random

import pytest
from PIL import Image, ImageDraw
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select

from aidoffice.db.models import Problem, Slip, SlipScan, SlipScanImage
from aidoffice.errors import InputRefused
from aidoffice.privacy import find_sensitive
from aidoffice.publicity import slips
from aidoffice.publicity.letters import PAGE_H, produce_letters
from aidoffice.publicity.omr import BLANK_INK_SHARE, Reason, ink_of, letter_geometry, read_page
from aidoffice.services import slip_scan as scan
from tests.letters_world import LETTER_DAY, build_school
from tests.scans import (
    as_scanned,
    blank_page,
    mark_slip,
    pack_pdf,
    slip_only,
    slip_pages,
    smudge_codes,
    staple,
    write_note,
)


@pytest.fixture
def printed(school_db, tmp_path):
    """Policy letters for the 7 pupils and aid letters for the 2 aided ones, with their slip pages
    rendered as a 200 dpi copier would see them."""
    build_school(school_db, rare_names=False)
    with school_db.unit_of_work(actor="资助专干") as s:
        policy = produce_letters(s, "policy", tmp_path / "p.pdf", letter_date=LETTER_DAY)
        aid = produce_letters(s, "aid", tmp_path / "a.pdf", letter_date=LETTER_DAY)
    pages = {**slip_pages(policy.path), **slip_pages(aid.path)}
    assert set(pages) == set(policy.slips) | set(aid.slips)
    return policy, aid, pages


def _answers(db) -> dict[str, str | None]:
    with db.reading() as s:
        return {c: a for c, a, r in s.execute(select(Slip.code, Slip.answer, Slip.received_at)) if r}


def _scan(db, *paths, actor="资助专干"):
    with db.unit_of_work(actor=actor) as s:
        return scan.scan_stack(s, [str(p) for p in paths])


def _head_teachers(db, **classes):  # type: ignore[no-untyped-def]
    """An administrator, then a head teacher for each login=(grade, class): (admin, {login: principal})."""
    from aidoffice.access.checks import act_as
    from aidoffice.safety.accounts import create_user, sign_in

    with db.unit_of_work() as s:
        create_user(s, "admin", "管理员", "Mountain-2026", "admin")
    admin = sign_in(db, "admin", "Mountain-2026")
    with db.unit_of_work() as s:
        act_as(s, admin)
        for login, key in classes.items():
            create_user(s, login, login, "River-2026x", "head_teacher", [key], must_change_password=False)
    return admin, {login: sign_in(db, login, "River-2026x") for login in classes}


def test_a_stack_registers_the_certain_slips_and_queues_every_doubtful_one(school_db, printed, tmp_path):
    """The hard cases of a real stack: turned, upside down, black and white, speckled, 150 and 300 dpi,
    a faint pencil tick are read; no tick, two ticks, a tick crossed out, a smudge, a blacked box go to
    the queue; not one answer is registered that the family did not tick."""
    policy, aid, pages = printed
    rng = random.Random(4)
    p = policy.slips
    cases = [  # code, tick, box, how it was scanned, what must be registered (None: queued, why)
        (p[0], "pen", 0, {}, "apply"),
        (p[1], "pen", 1, {"angle": 4.5}, "decline"),
        (p[2], "pencil", 0, {"upside_down": True, "angle": -2}, "apply"),
        (p[3], "pen", 1, {"bw": True, "shear": 0.015}, "decline"),
        (p[4], "double", 0, {"noise": 25}, Reason.TWO_TICKS),
        (p[5], "crossed", 1, {"angle": -3.5}, Reason.CROSSED),
        (p[6], "none", 0, {}, Reason.NO_TICK),
        (aid.slips[0], "smudge", 0, {"angle": 2}, Reason.UNCLEAR),
        (aid.slips[1], "filled", 1, {"upside_down": True}, Reason.CROSSED),
    ]
    images = []
    for code, tick, box, how, _want in cases:
        page = pages[code].copy()
        mark_slip(page, tick, box, rng)
        images.append(as_scanned(page, rng, **how))
    stack = pack_pdf(images, tmp_path / "扫描.pdf")
    report = _scan(school_db, stack)
    want = {code: w for code, _t, _b, _h, w in cases}
    assert _answers(school_db) == {c: w for c, w in want.items() if isinstance(w, str)}
    assert (report.pages, report.slips, report.registered) == (9, 9, 4)
    assert report.answers == {"apply": 2, "decline": 2}
    assert {q.code: q.reason for q in report.queued} == {
        c: w for c, w in want.items() if isinstance(w, Reason)
    }
    assert report.queue_size == 5
    # each queued slip keeps its straightened picture, and the report says why, page by page
    with school_db.reading() as s:
        queue = scan.open_queue(s)
        image, _note = scan.scan_images(s, queue[0].id)
    assert [q.code for q in queue] == [q.code for q in report.queued]
    assert image is not None and image.startswith(b"\x89PNG")
    assert "两个选项都勾了" in report.summary() and "扫描.pdf 第 5 页" in report.summary()
    said = json.dumps(report.as_json(), ensure_ascii=False) + report.summary()
    assert not find_sensitive(said)  # names and codes only: no ID, phone or account number

    # the same stack again (or the same page in an image file) changes nothing
    for page_no, image_file in ((1, tmp_path / "p1.png"),):
        images[page_no - 1].save(image_file)
    again = _scan(school_db, stack, tmp_path / "p1.png")
    assert (again.registered, again.queued, again.seen_before) == (0, [], 9)
    assert again.already == 1  # the PNG is another scan of a registered slip: same answer, nothing to do
    assert again.queue_size == 5
    assert _answers(school_db) == {c: w for c, w in want.items() if isinstance(w, str)}


@pytest.mark.parametrize("dpi", [150, 300])
def test_a_scan_at_150_or_300_dpi_reads_the_same(school_db, printed, tmp_path, dpi):
    policy, _aid, _pages = printed
    pages = slip_pages(policy.path, dpi)
    rng = random.Random(dpi)
    page = pages[policy.slips[0]]
    mark_slip(page, "pen", 1, rng, dpi)
    report = _scan(school_db, pack_pdf([as_scanned(page, rng, angle=3)], tmp_path / "s.pdf", dpi))
    assert report.registered == 1 and _answers(school_db) == {policy.slips[0]: "decline"}


def test_a_stapled_slip_is_read_from_its_second_code(school_db, printed, tmp_path):
    """A staple through the big QR code and the corner torn: the small code still places the slip."""
    policy, _aid, pages = printed
    rng = random.Random(7)
    images = []
    for code, box, how in ((policy.slips[0], 1, {"angle": 3}), (policy.slips[1], 0, {"upside_down": True})):
        page = pages[code].copy()
        mark_slip(page, "pen", box, rng)
        staple(page)
        images.append(as_scanned(page, rng, **how))
    report = _scan(school_db, pack_pdf(images, tmp_path / "s.pdf"))
    assert report.registered == 2 and report.queued == []
    assert _answers(school_db) == {policy.slips[0]: "decline", policy.slips[1]: "apply"}


def test_several_cut_slips_on_the_glass_are_each_read(school_db, printed, tmp_path):
    """Slips cut off unevenly and laid on the copier glass, one of them upside down: all read."""
    policy, aid, pages = printed
    rng = random.Random(9)
    glass = Image.new("L", (1654, 2339), 250)
    y = 40
    for n, (code, box) in enumerate(((policy.slips[0], 0), (policy.slips[1], 1), (aid.slips[0], 1))):
        page = pages[code].copy()
        mark_slip(page, "pen", box, rng)
        if code == aid.slips[0]:
            write_note(page)
        cut = slip_only(page)
        cut = cut.crop(
            (rng.randint(0, 30), rng.randint(0, 20), cut.size[0] - rng.randint(0, 30), cut.size[1])
        )
        if n == 1:
            cut = cut.rotate(180)
        glass.paste(cut.rotate(rng.uniform(-3, 3), fillcolor=250, expand=True), (10, y))
        y += cut.size[1] + 120
    report = _scan(school_db, pack_pdf([glass], tmp_path / "glass.pdf"))
    assert (report.pages, report.slips, report.registered) == (1, 3, 3)
    assert _answers(school_db) == {
        policy.slips[0]: "apply",
        policy.slips[1]: "decline",
        aid.slips[0]: "object",
    }


def test_an_objection_scanned_becomes_a_problem_and_the_handwriting_is_kept(school_db, printed, tmp_path):
    """有异议 ticked with words written on the line: a problem in the list at once, and the clerk can see
    what the family wrote."""
    _policy, aid, pages = printed
    rng = random.Random(2)
    page = pages[aid.slips[0]].copy()
    mark_slip(page, "pen", 1, rng)
    write_note(page)
    report = _scan(school_db, pack_pdf([as_scanned(page, rng, angle=-2)], tmp_path / "s.pdf"))
    assert report.answers == {"object": 1}
    with school_db.reading() as s:
        [problem] = s.scalars(select(Problem).where(Problem.kind == "AID_OBJECTION")).all()
        note = scan.scanned_note(s, aid.slips[0])
        [found] = slips.objections(s)
    assert "手写" in problem.detail and "手写" in found.text
    assert note is not None and note.startswith(b"\x89PNG")


def test_a_slip_registered_before_with_another_answer_is_queued_and_the_clerk_decides(
    school_db, printed, tmp_path
):
    """A typed registration and a scan that disagree: the scan changes nothing by itself."""
    policy, _aid, pages = printed
    code = policy.slips[0]
    with school_db.unit_of_work() as s:
        slips.receive(s, code, "decline")
    rng = random.Random(3)
    page = pages[code].copy()
    mark_slip(page, "pen", 0, rng)
    report = _scan(school_db, pack_pdf([page], tmp_path / "s.pdf"))
    assert [q.reason for q in report.queued] == [Reason.REPEATED]
    assert _answers(school_db) == {code: "decline"}
    with school_db.unit_of_work(actor="资助专干") as s:
        receipt = scan.resolve(s, report.queued[0].id, "apply")
    assert receipt is not None and receipt.outcome is slips.Outcome.RECEIVED
    assert _answers(school_db) == {code: "apply"}
    with school_db.reading() as s:
        assert scan.open_queue(s) == []


def test_the_clerk_clears_the_queue_with_answers_a_typed_code_and_skips(school_db, printed, tmp_path):
    policy, aid, pages = printed
    rng = random.Random(5)
    two = pages[policy.slips[0]].copy()
    mark_slip(two, "double", 0, rng)
    torn = pages[policy.slips[1]].copy()
    mark_slip(torn, "pen", 1, rng)
    draw = ImageDraw.Draw(torn)  # both codes torn or inked over
    geo = letter_geometry()
    for qr in (geo.qr_big, geo.qr_small):
        k = 200 / 72
        draw.rectangle((qr.x * k, (PAGE_H - qr.y - qr.h) * k, (qr.x + qr.w) * k, (PAGE_H - qr.y) * k), fill=0)
    blank = pages[aid.slips[0]].copy()
    report = _scan(school_db, pack_pdf([two, torn, blank], tmp_path / "s.pdf"))
    reasons = {q.reason: q for q in report.queued}
    assert set(reasons) == {Reason.TWO_TICKS, Reason.NO_CODE, Reason.NO_TICK}
    assert reasons[Reason.NO_TICK].choices == [("agree", "无异议"), ("object", "有异议")]
    with school_db.unit_of_work(actor="资助专干") as s:
        with pytest.raises(InputRefused, match="只能选"):
            scan.resolve(s, reasons[Reason.TWO_TICKS].id, "agree")
        scan.resolve(s, reasons[Reason.TWO_TICKS].id, "apply")
        with pytest.raises(InputRefused, match="输入回执编号"):
            scan.resolve(s, reasons[Reason.NO_CODE].id, "decline")
        scan.resolve(s, reasons[Reason.NO_CODE].id, "decline", code=policy.slips[1].lower())
        scan.resolve(s, reasons[Reason.NO_TICK].id, None, skip=True)
    assert _answers(school_db) == {policy.slips[0]: "apply", policy.slips[1]: "decline"}
    with school_db.reading() as s:
        assert scan.open_queue(s) == []
        statuses = dict(s.execute(select(SlipScan.status, func.count()).group_by(SlipScan.status)).all())
    assert statuses == {"resolved": 2, "skipped": 1}


def test_an_old_slip_without_anchor_marks_and_a_slip_of_another_term_are_queued(school_db, printed, tmp_path):
    """Slips printed before the marks existed still come through the queue; last term's slip is not
    counted for this one."""
    policy, _aid, pages = printed
    with school_db.unit_of_work(actor="资助专干") as s:
        old = produce_letters(
            s, "policy", tmp_path / "old.pdf", term="2024-2025-2", grade="七年级", class_name="2"
        )
    old_page = slip_pages(old.path)[old.slips[0]]
    rng = random.Random(6)
    mark_slip(old_page, "pen", 0, rng)
    unmarked = pages[policy.slips[2]].copy()
    mark_slip(unmarked, "pen", 0, rng)
    draw = ImageDraw.Draw(unmarked)
    for anchor in letter_geometry().anchors:  # as a slip of the old layout: no anchors
        k = 200 / 72
        x, y = anchor.x * k, (PAGE_H - anchor.y - anchor.h) * k
        draw.rectangle((x - 3, y - 3, x + anchor.w * k + 3, y + anchor.h * k + 3), fill=255)
    report = _scan(school_db, pack_pdf([old_page, unmarked], tmp_path / "s.pdf"))
    assert {q.code: q.reason for q in report.queued} == {
        old.slips[0]: Reason.OTHER_TERM,
        policy.slips[2]: Reason.NO_MARKS,
    }
    assert report.registered == 0 and _answers(school_db) == {}
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(SlipScanImage)) == 2


def test_a_file_that_is_not_a_scan_is_refused_before_anything_is_registered(school_db, printed, tmp_path):
    policy, _aid, pages = printed
    good = pages[policy.slips[0]].copy()
    mark_slip(good, "pen", 0, random.Random(1))
    stack = pack_pdf([good], tmp_path / "good.pdf")
    bad = tmp_path / "坏.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(InputRefused, match=r"坏\.pdf"):
        _scan(school_db, stack, bad)
    text = tmp_path / "名单.xlsx"
    text.write_bytes(b"PK")
    with pytest.raises(InputRefused, match="不是扫描件"):
        _scan(school_db, stack, text)
    locked = tmp_path / "加密.pdf"
    c = Canvas(str(locked), encrypt="secret")
    c.drawString(100, 100, "x")
    c.save()
    with pytest.raises(InputRefused, match="设有密码"):
        _scan(school_db, stack, locked)
    assert _answers(school_db) == {}
    assert read_page(good)[0].choice == 0  # the good page alone was readable all along
    # a multi-page TIFF with a blank page: the slip read, the blank page skipped (again on a re-scan)
    tiff = tmp_path / "扫描.tiff"
    good.save(tiff, save_all=True, append_images=[Image.new("L", good.size, 255)])
    report = _scan(school_db, tiff)
    assert (report.pages, report.registered, report.blank, report.queued) == (2, 1, 1, [])
    again = _scan(school_db, tiff)
    assert (again.seen_before, again.blank, again.queue_size) == (1, 1, 0)


def test_blank_pages_in_a_stack_are_skipped_and_counted_and_a_smudged_code_is_still_queued(
    school_db, printed, tmp_path
):
    """Blank backs and separator sheets (white, grey recycled paper with sensor noise, fed skewed with
    the lid's shadow along the edges) are counted and skipped, not queued; a slip whose codes are
    smudged, and a page with one handwritten word on it, still go to the clerk."""
    policy, _aid, pages = printed
    rng = random.Random(11)
    ticked = pages[policy.slips[0]].copy()
    mark_slip(ticked, "pen", 0, rng)
    smudged = pages[policy.slips[1]].copy()
    mark_slip(smudged, "pen", 1, rng)
    smudge_codes(smudged)
    word = Image.new("L", smudged.size, 250)  # a separator sheet with a word on it: someone meant something
    draw = ImageDraw.Draw(word)
    for n in range(9):
        x = 600 + n * 17
        draw.line([(x, 1000), (x + 7, 990), (x + 14, 1000)], fill=40, width=2)
    blanks = [blank_page(kind, rng) for kind in ("white", "grey", "shadow")]
    stack = [ticked, blanks[0], as_scanned(smudged, rng, angle=2), blanks[1], blanks[2], word]
    report = _scan(school_db, pack_pdf(stack, tmp_path / "整摞.pdf"))
    assert (report.pages, report.blank, report.registered) == (6, 3, 1)
    assert [(q.source, q.page, q.reason) for q in report.queued] == [
        ("整摞.pdf", 3, Reason.NO_CODE),
        ("整摞.pdf", 6, Reason.NO_CODE),
    ]
    assert report.queue_size == 2
    assert "空白页 3 张，已跳过" in report.summary().splitlines()[0]
    assert report.as_json()["blank_pages"] == 3
    # the margins the rule stands on: a slip page carries a hundred times the ink of the limit
    assert min(ink_of(p).share for p in (ticked, smudged, word)) > 2 * BLANK_INK_SHARE
    assert ink_of(ticked).share > 100 * BLANK_INK_SHARE
    assert all(ink_of(b).share == 0 for b in blanks) and ink_of(blanks[2]).edge_share > 0.01
    with school_db.reading() as s:
        assert len(scan.open_queue(s)) == 2
    # scanned again: the blank pages counted again, nothing queued twice
    again = _scan(school_db, tmp_path / "整摞.pdf")
    assert (again.blank, again.seen_before, again.queued, again.queue_size) == (3, 3, [], 2)


def test_a_head_teacher_scans_their_class_and_another_class_slip_is_left_alone(school_db, printed, tmp_path):
    """A head teacher's stack with one slip of another class: theirs registered, the other neither
    registered nor queued (they may not see it), and the report says to pass it on."""
    from aidoffice.access.checks import act_as

    policy, _aid, pages = printed
    _admin, teachers = _head_teachers(school_db, wang=(7, "2班"))
    wang = teachers["wang"]
    with school_db.reading() as s:
        classes = {c: s.scalar(select(Slip).where(Slip.code == c)).student.class_name for c in policy.slips}
    mine = next(c for c in policy.slips if classes[c] == "2班")
    other = next(c for c in policy.slips if classes[c] == "10班")
    rng = random.Random(8)
    images = []
    for code in (mine, other):
        page = pages[code].copy()
        mark_slip(page, "pen", 0, rng)
        images.append(page)
    with school_db.unit_of_work() as s:
        act_as(s, wang)
        report = scan.scan_stack(s, [str(pack_pdf(images, tmp_path / "s.pdf"))])
    assert (report.registered, report.not_mine, report.queued) == (1, 1, [])
    assert "不是您所带班级" in report.summary()
    assert _answers(school_db) == {mine: "apply"}


def test_a_template_with_its_options_the_other_way_round_is_read_as_printed(school_db, tmp_path):
    """A school that put 不符合、不申请 first on its slips: the first box means decline on those slips."""
    from aidoffice.publicity.templates import shipped_text

    build_school(school_db, rare_names=False)
    text = shipped_text("policy_junior")
    first, second = "□ 符合条件，申请资助", "□ 不符合条件，不申请"
    assert first in text and second in text
    swapped = text.replace(first, "@@").replace(second, first).replace("@@", second)
    with school_db.unit_of_work(actor="资助专干") as s:
        letters = produce_letters(
            s, "policy", tmp_path / "p.pdf", grade="七年级", class_name="2", letter_date=LETTER_DAY,
            texts={"policy_junior": swapped}, covers=False,
        )  # fmt: skip
    pages = slip_pages(letters.path)
    rng = random.Random(10)
    images = []
    for code, box in zip(letters.slips[:2], (0, 1), strict=True):
        page = pages[code].copy()
        mark_slip(page, "pen", box, rng)
        images.append(page)
    report = _scan(school_db, pack_pdf(images, tmp_path / "s.pdf"))
    assert report.registered == 2
    assert _answers(school_db) == {letters.slips[0]: "decline", letters.slips[1]: "apply"}


def test_an_objection_scanned_shows_only_its_written_line_and_only_to_who_may_see_the_slip(
    school_db, printed, tmp_path
):
    """The family's handwriting on the 有异议 line is shown once the slip is registered: only that line
    (not the names and codes on the rest of the slip), to the clerk and the class's head teacher, never
    to the head teacher of another class."""
    import io

    from aidoffice.access.checks import PermissionDenied, act_as
    from aidoffice.publicity.omr import CROP_PX_PER_MM
    from aidoffice.publicity.slipmarks import MM
    from aidoffice.services import slip_desk
    from tests.factories import an_id

    _policy, aid, pages = printed
    rng = random.Random(21)
    objecting, agreeing = aid.slips[0], aid.slips[1]
    images = []
    for code, box in ((objecting, 1), (agreeing, 0)):
        page = pages[code].copy()
        mark_slip(page, "pen", box, rng)
        write_note(page)
        images.append(as_scanned(page, rng, angle=-1.5))
    _scan(school_db, pack_pdf(images, tmp_path / "s.pdf"))
    with school_db.reading() as s:
        [line] = scan.objection_list(s)
        note = scan.scanned_note(s, objecting)
        other_note = scan.scanned_note(s, agreeing)  # 无异议: nothing to show
        label = s.scalar(select(Slip).where(Slip.code == objecting)).student
        mine = (label.grade, label.class_name)
    # the 无异议 slip corrected at the desk to 有异议, the family's words typed with an ID number in them
    with school_db.unit_of_work(actor="资助专干") as s:
        slip_desk.undo_receipt(s, agreeing)
        slip_desk.receive(s, agreeing, "object", f"孩子身份证{an_id()}，电话13812345678，补助没收到")
    with school_db.reading() as s:
        by_hand = next(o for o in scan.objection_list(s) if o.code == agreeing)
        assert scan.scanned_note(s, agreeing) is None  # the scan said 无异议: its line is no objection
    assert by_hand.scanned is False and "补助没收到" in by_hand.text
    assert not find_sensitive(by_hand.text)
    assert (line.code, line.scanned, line.handwriting) == (objecting, True, True)
    assert note is not None and other_note is None
    picture = Image.open(io.BytesIO(note))
    geo = letter_geometry().note
    # the picture is the line and nothing more: its size is the line's, and what is on it is ink
    assert picture.size == (round(geo.w / MM * CROP_PX_PER_MM), round(geo.h / MM * CROP_PX_PER_MM))
    assert sum(picture.convert("L").histogram()[:100]) > 30

    other = (mine[0], "10班" if mine[1] != "10班" else "2班")
    _admin, teachers = _head_teachers(school_db, wang=mine, li=other)
    for login, sees in (("wang", True), ("li", False)):
        user = teachers[login]
        with school_db.reading() as s:
            act_as(s, user)
            seen = {o.code for o in scan.objection_list(s)}
            assert (objecting in seen) is sees
            if sees:
                assert scan.scanned_note(s, objecting) == note
            else:
                with pytest.raises(PermissionDenied):
                    scan.scanned_note(s, objecting)


def test_a_head_teacher_sees_only_their_own_classes_queued_slips_and_pictures(school_db, printed, tmp_path):
    """The 待核对 queue shows whole slips (names, codes): a head teacher gets their classes' only, not
    another class's picture, nor a page with no code read that the clerk scanned."""
    from aidoffice.access.checks import PermissionDenied, act_as

    policy, _aid, pages = printed
    with school_db.reading() as s:
        classes = {c: s.scalar(select(Slip).where(Slip.code == c)).student.class_name for c in policy.slips}
    mine = next(c for c in policy.slips if classes[c] == "2班")
    other = next(c for c in policy.slips if classes[c] == "10班")
    rng = random.Random(13)
    images = []
    for code in (mine, other, policy.slips[-1]):
        page = pages[code].copy()
        mark_slip(page, "double", 0, rng)
        if code == policy.slips[-1]:
            smudge_codes(page)
        images.append(page)
    report = _scan(school_db, pack_pdf(images, tmp_path / "s.pdf"))
    ids = {q.code: q.id for q in report.queued}
    assert set(ids) == {mine, other, None}
    admin, teachers = _head_teachers(school_db, wang=(7, "2班"))
    wang = teachers["wang"]
    with school_db.reading() as s:
        act_as(s, admin)
        assert len(scan.open_queue(s)) == 3
        act_as(s, wang)
        assert [q.code for q in scan.open_queue(s)] == [mine]
        assert scan.scan_images(s, ids[mine])[0] is not None
        for hidden in (ids[other], ids[None]):
            with pytest.raises(PermissionDenied):
                scan.scan_images(s, hidden)
    with school_db.unit_of_work() as s:
        act_as(s, wang)
        with pytest.raises(PermissionDenied):
            scan.resolve(s, ids[other], None, skip=True)
    with school_db.reading() as s:
        act_as(s, admin)
        assert len(scan.open_queue(s)) == 3  # nothing was taken out of the queue
