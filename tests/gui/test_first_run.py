from aidoffice.ledgers.school import get_school
from tests.gui.helpers import finish
from ui.dialogs.first_run import FirstRunDialog


def test_first_run_asks_for_the_school_and_explains_mistakes(qtbot, empty_ctx):
    """A first-time clerk must learn what is missing without losing what was typed."""
    dialog = FirstRunDialog(empty_ctx)
    qtbot.addWidget(dialog)
    dialog.accept()
    finish(qtbot, dialog.last_task)
    assert dialog.result() == 0 and "学校名称" in dialog.error.text()
    dialog.name.setText("阜平县实验小学")
    dialog.code.setText("12345")
    dialog.accept()
    finish(qtbot, dialog.last_task)
    assert dialog.result() == 0 and "10位数字" in dialog.error.text()
    dialog.code.setText("3130624111")
    dialog.county.setText("阜平县")
    dialog.accept()
    finish(qtbot, dialog.last_task)
    assert dialog.result() == 1
    with empty_ctx.db.reading() as s:
        school = get_school(s)
        assert (school.name, school.code, school.county) == ("阜平县实验小学", "3130624111", "阜平县")
