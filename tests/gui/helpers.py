"""Waiting for background operations in GUI tests."""


def idle(qtbot, ctx, timeout: int = 30_000) -> None:
    """Wait until every background operation has finished and its result has been handled."""
    qtbot.waitUntil(lambda: not ctx.readers.active and not ctx.writer.active, timeout=timeout)


def finish(qtbot, task, timeout: int = 30_000) -> None:
    assert task is not None
    if task.finished:
        return
    with qtbot.waitSignal(task.done, timeout=timeout):
        pass


def make_ctx(qtbot, database):  # type: ignore[no-untyped-def]
    """The app context over `database` for one test (a generator fixture's body: it waits for the
    background work at the end)."""
    from ui.operations import AppContext

    ctx = AppContext(database, actor="测试员")
    yield ctx
    ctx.wait(30_000)
    qtbot.waitUntil(lambda: not ctx.readers.active and not ctx.writer.active, timeout=30_000)
