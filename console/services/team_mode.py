"""Team mode set-up as the database administrator runs it: `privacy-console team setup`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.domain import accounts as rules
from console.errors import ValidationError
from console.store import team
from console.store.db import Database
from console.store.team_setup import SetupReport
from console.store.team_setup import setup as setup_roles


def setup(
    db: Database,
    *,
    prefix: str | None = None,
    admin: str | None = None,
    otp_hours: int | None = None,
) -> SetupReport:
    """Make (or bring up to date) the roles, grants and functions of team mode.

    db must be opened with the owner's URL. The first time, every account gets a login role with
    a one-time password (returned, to hand out), or an empty database gets `admin` as its first
    administrator.
    """
    from console.services.accounts import one_time_password_hours

    if db.dialect != "postgresql":
        raise ValidationError(
            "Team mode needs a PostgreSQL database; a SQLite file is for one desk."
        )
    if admin is not None:
        admin = rules.check_user_name(admin)
    hours = one_time_password_hours() if otp_hours is None else otp_hours
    expires = datetime.now(UTC) + timedelta(hours=hours)
    with db.transaction() as s:
        conn = s.connection()
        report = setup_roles(
            conn,
            prefix=prefix,
            admin=admin,
            expires_at=expires,
            one_time_password=rules.one_time_password,
            verifier=lambda name, password: team.verifier(conn, name, password),
        )
    if report.first_time:
        # The policy pack in force is installed once, as init does on a single desk.
        from console.domain.permissions import Role
        from console.services import policy
        from console.services.context import Actor

        policy.ensure_default_pack(db, Actor(None, report.info.owner, Role.ADMIN))
    db.set_team(report.info)
    return report
