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
