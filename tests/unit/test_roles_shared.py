"""Who may do what on a shared server cannot depend on a file on one user's own PC."""

from __future__ import annotations

from aidoffice.access import roles


def test_a_roles_file_in_the_users_own_folder_counts_only_for_a_database_on_this_pc(tmp_path, monkeypatch):
    """A head teacher who copies roles.toml into their data folder and gives themselves every right
    gets it on their own embedded database, never on the county's server."""
    monkeypatch.setenv("AIDOFFICE_HOME", str(tmp_path))
    shipped = (roles.resources_dir() / "security" / "roles.toml").read_text("utf-8")
    own = roles.local_roles_file()
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text(shipped.replace('permissions = ["students.view", "letters.print", "slips.register", "cases.view", "cases.act", "visits.record"]',
                                   'permissions = ["*"]'), "utf-8")  # fmt: skip
    try:
        roles.shared_database(False)
        roles.role_book.cache_clear()
        assert roles.role_book().role("head_teacher").allows("users.manage")
        roles.shared_database(True)
        assert not roles.role_book().role("head_teacher").allows("users.manage")
        assert roles.role_book().role("head_teacher").allows("letters.print")
    finally:
        roles.shared_database(False)
        roles.role_book.cache_clear()


def test_the_least_privileged_role_is_the_head_teachers():
    from aidoffice.access.roles import read_roles, resources_dir

    book = read_roles(resources_dir() / "security" / "roles.toml")
    assert book.least_privileged().code == "head_teacher"
