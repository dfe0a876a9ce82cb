"""Team mode's password path on a server that checks passwords (a throwaway cluster with
scram-sha-256): the shared test server trusts every connection and cannot tell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from console.domain.permissions import Role
from console.services import accounts, signin, team_mode
from console.store.db import SignInRefused, open_database
from tests.fixtures import PASSWORD, TeamServer

OWNER_PASSWORD = "the owner's own long password"
NEW = "a brand new long passphrase"


@pytest.fixture
def server(password_server: str) -> Iterator[TeamServer]:
    team = TeamServer(password_server, owner_password=OWNER_PASSWORD)
    try:
        yield team
    finally:
        team.close()


def _works(server: TeamServer, name: str, password: str) -> bool:
    try:
        server.open(server.url_for(name, password))
    except SignInRefused:
        return False
    return True


def test_the_server_checks_one_time_and_own_passwords_and_their_expiry(
    server: TeamServer,
) -> None:
    owner_db = server.open(server.owner_url)
    ada = server.name("ada")
    otp = team_mode.setup(owner_db, prefix=server.prefix, admin=ada).new_logins[ada]
    assert otp is not None
    assert not _works(server, ada, "not the password")
    assert not _works(server, server.name("nobody"), otp)
    # The one-time password is ada's first database password; choosing her own replaces it.
    desk, actor = signin.connect(server.desk_url, ada, otp)
    server.track(desk)
    with pytest.raises(accounts.AuthError, match="current password is wrong"):
        accounts.change_own_password(desk, actor, "not the password", PASSWORD)
    accounts.change_own_password(desk, actor, otp, PASSWORD)
    assert not _works(server, ada, otp) and _works(server, ada, PASSWORD)
    desk, ada_actor = signin.connect(server.desk_url, ada, PASSWORD)
    server.track(desk)

    # A one-time password past its time is refused by the server itself (VALID UNTIL).
    late, late_otp = accounts.add_user(
        desk, ada_actor, server.name("late"), Role.AUDITOR, otp_hours=0
    )
    assert not _works(server, late.name, late_otp)
    # Disabled: refused whatever the password; enabled again: back.
    info, leo_otp = accounts.add_user(desk, ada_actor, server.name("leo"), Role.LEGAL)
    accounts.set_active(desk, ada_actor, info.id, False)
    assert not _works(server, info.name, leo_otp)
    accounts.set_active(desk, ada_actor, info.id, True)
    assert _works(server, info.name, leo_otp)
    # A reset: the old one-time password stops, the new one works.
    fresh = accounts.reset_password(desk, ada_actor, info.id)
    assert not _works(server, info.name, leo_otp) and _works(server, info.name, fresh)


def test_the_window_sign_in_gets_the_one_message_for_any_refusal(server: TeamServer) -> None:
    owner_db = server.open(server.owner_url)
    ada = server.name("ada")
    otp = team_mode.setup(owner_db, prefix=server.prefix, admin=ada).new_logins[ada]
    assert otp is not None
    messages = set()
    for name, password in ((ada, "wrong password!!"), (server.name("ghost"), otp)):
        with pytest.raises(accounts.AuthError) as refused:
            signin.connect(server.desk_url, name, password)
        messages.add(str(refused.value))
    assert messages == {accounts.SIGN_IN_REFUSED}
    with pytest.raises(SignInRefused):
        open_database(server.url_for(server.owner, "not the owner's password"))
