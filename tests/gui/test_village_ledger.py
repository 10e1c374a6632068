from tests.gui.helpers import finish, idle
from ui.pages.village_ledger import VillageLedgerPage


def test_village_tree_shows_counts_and_opens_households_on_demand(qtbot, ctx):
    """Opening a village or a household fetches its rows in the background, once."""
    page = VillageLedgerPage(ctx)
    qtbot.addWidget(page)
    finish(qtbot, page.reload())
    model = page.model
    assert model.rowCount() == 13  # the demo county's townships
    town = model.index(0, 0)
    village_counts = [int(model.data(model.index(r, 2, town))) for r in range(model.rowCount(town))]
    assert int(model.data(model.index(0, 2))) == sum(village_counts)
    assert "学龄儿童" in page.summary.text()
    village = next(
        model.index(r, 0, town)
        for r in range(model.rowCount(town))
        if model.data(model.index(r, 1, town)) != "0"
    )
    assert model.rowCount(village) == 0 and model.canFetchMore(village)
    model.fetchMore(village)
    assert not model.canFetchMore(village)  # asked once, while the rows are on their way
    idle(qtbot, ctx)
    assert model.rowCount(village) == int(model.data(model.index(village.row(), 1, town)))
    household = model.index(0, 0, village)
    model.fetchMore(household)
    idle(qtbot, ctx)
    assert model.rowCount(household) >= 2  # the head and at least one child
    labels = [model.data(model.index(r, 0, household)) for r in range(model.rowCount(household))]
    assert any("户主" in label for label in labels)
