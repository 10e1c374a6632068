"""What the sign-in dialog and the accounts page read, as plain values (the CLI can use the same)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidoffice.access.checks import ClassKey, Principal, class_label
from aidoffice.db.models import User
from aidoffice.ledgers.student_queries import classes_by_grade
from aidoffice.safety import accounts


@dataclass(frozen=True)
class SignedIn:
    user: Principal
    must_change_password: bool
    idle_minutes: int


def signed_in_view(session: Session, user: Principal) -> SignedIn:
    """After a sign-in: whether the password must be changed first, and the idle-lock minutes."""
    account = session.get(User, user.id)
    must = bool(account is not None and account.must_change_password)
    return SignedIn(user, must, accounts.idle_minutes(session))


def class_choices(session: Session) -> list[tuple[ClassKey, str]]:
    """Every class of the ledger, for a head teacher's account."""
    return [
        ((g, c), class_label((g, c))) for g, names in sorted(classes_by_grade(session).items()) for c in names
    ]


@dataclass(frozen=True)
class AccountsView:
    accounts: list[accounts.AccountInfo]
    single_clerk: str | None
    idle_minutes: int
    classes: list[tuple[ClassKey, str]]  # every class of the ledger, for a head teacher's account


def accounts_view(session: Session) -> AccountsView | None:
    """None in open mode (no accounts yet)."""
    if not session.scalar(select(func.count()).select_from(User)):
        return None
    return AccountsView(
        accounts.list_users(session),
        accounts.single_clerk_login(session),
        accounts.idle_minutes(session),
        class_choices(session),
    )
