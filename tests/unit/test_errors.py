"""A full disk is recognised however it is reported: by the OS, by SQLite, by PostgreSQL."""

from __future__ import annotations

import errno
import sqlite3

import psycopg.errors
import pytest
from sqlalchemy.exc import OperationalError

from console.errors import DISK_FULL_MESSAGE, DiskFull, is_disk_full
from console.store.db import Database


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG])
def test_no_space_quota_and_file_size_limit_are_a_full_disk(code: int) -> None:
    assert is_disk_full(OSError(code, "no room"))


def test_sqlite_and_postgresql_say_it_their_own_way() -> None:
    sqlite_full = OperationalError(
        "INSERT …", {}, sqlite3.OperationalError("database or disk is full")
    )
    pg_full = OperationalError("INSERT …", {}, psycopg.errors.DiskFull("could not extend file"))
    assert is_disk_full(sqlite_full) and is_disk_full(pg_full)
    assert not is_disk_full(
        OperationalError("x", {}, sqlite3.OperationalError("database is locked"))
    )
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))


@pytest.mark.pg
def test_a_full_disk_on_the_server_is_told_as_such(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        error = OperationalError("INSERT …", {}, psycopg.errors.DiskFull("could not extend file"))
        known = db.known_error(error)
        assert isinstance(known, DiskFull) and str(known).startswith(DISK_FULL_MESSAGE)
        assert "PostgreSQL server" in str(known)
    finally:
        db.dispose()
