"""The 三包与家访 page: 包保责任, 走访记录, 本月未联系."""

from ui.pages.visits.page import VisitsPage

__all__ = ["VisitsPage"]
