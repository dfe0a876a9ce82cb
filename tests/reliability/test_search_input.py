"""Search input: everything FTS5 or PostgreSQL treats as syntax, typed into the search box, gives
results or a clean "no results": never an error, and never a record the words do not match.
Run on SQLite (FTS5) and PostgreSQL (trigram) alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.errors import ConsoleError
from console.services.context import Actor
from console.services.records import imports, sources
from console.services.records import search as records
from console.store import search_backend
from console.store.db import Database

ROWS = (
    "email,name,customer_id,note\n"
    "ana@example.org,Ana Lima,C-1001,likes NEAR-field comms\n"
    'bo@example.net,Bo Berg,C-1002,"said ""hello"" (twice)"\n'
    "cy@example.com,Çelik Öz,C-1003,prefers: phone^2 * weekly\n"
)

SYNTAX = [
    '"',
    '""',
    "'",
    "*",
    "-",
    "+",
    "^",
    ":",
    "(",
    ")",
    "()",
    "{",
    "}",
    "[",
    "]",
    "NEAR",
    "NEAR(",
    "AND",
    "OR",
    "NOT",
    "and or not",
    "ana*",
    "*ana",
    '"ana',
    'ana"',
    "-ana",
    "+ana",
    "^ana",
    "ana:",
    "name:ana",
    "email:ana@example.org",
    "ana NEAR lima",
    "NEAR(ana lima, 2)",
    "ana OR bo",
    "ana AND bo",
    "ana NOT bo",
    "(ana",
    "ana)",
    "(ana OR bo) AND cy",
    "lima^2",
    "a*b",
    "%",
    "_",
    "%ana%",
    "ana%",
    "\\",
    "\\%",
    "'; DROP TABLE records; --",
    "ana' OR '1'='1",
    "$$",
    "@@",
    "&",
    "|",
    "!",
    "<->",
    "<2>",
    "ana <-> lima",
    "ana & lima",
    "!bo",
    "ana | bo",
    "ana:*",
    "\x00",
    "ana\x00",
    "🙂",
    "Ö",
    "çelik",
    "C-1001",
    "c-1001",
    "NEAR/2",
    "ana\tlima",
    " ",
]


@pytest.fixture
def people(any_db: Database, any_admin: Actor, tmp_path: Path) -> dict[int, str]:
    sources.add_source(any_db, any_admin, "CRM", "crm")
    path = tmp_path / "people.csv"
    path.write_text(ROWS, "utf-8")
    result = imports.run_import(any_db, any_admin, path, "CRM")
    assert result.status == "completed" and result.rows_imported == 3
    ids = records.search_ids(any_db, any_admin, "example")
    return {
        r.id: " ".join(v or "" for v in r.values.values())
        for r in records.records_by_id(any_db, any_admin, ids)
    }


def _allowed(query: str, people: dict[int, str]) -> set[int]:
    """Records that hold, for every word of the query, a word starting with it."""
    words = search_backend.query_tokens(query)
    out = set()
    for rid, text in people.items():
        have = search_backend.tokens(text)
        if all(any(h.startswith(w) for h in have) for w in words):
            out.add(rid)
    return out


def _search(db: Database, actor: Actor, query: str) -> list[int]:
    try:
        return records.search_ids(db, actor, query)
    except ConsoleError as exc:  # a known message is acceptable; an exception is not
        pytest.fail(f"search {query!r} refused with a message instead of results: {exc}")


def test_search_syntax_gives_results_or_nothing_never_an_error(
    any_db: Database, any_admin: Actor, people: dict[int, str]
) -> None:
    problems = []
    for query in SYNTAX:
        try:
            found = set(records.search_ids(any_db, any_admin, query))
        except Exception as exc:
            problems.append(f"{json.dumps(query)}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        if search_backend.query_tokens(query):
            extra = found - _allowed(query, people)
            if extra:
                problems.append(f"{json.dumps(query)} returned records it does not match: {extra}")
        elif found:
            problems.append(f"{json.dumps(query)} has no words but returned {found}")
    assert not problems, "\n".join(problems)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.lists(
        st.sampled_from(
            [*"\"*-+^:(){}[]%_\\'&|!<> \x00", "NEAR", "AND", "OR", "NOT", "ana", "lima", "bo"]
        ),
        max_size=12,
    ).map("".join)
)
def test_any_mix_of_syntax_and_words_is_safe(
    query: str, any_db: Database, any_admin: Actor, people: dict[int, str]
) -> None:
    found = set(_search(any_db, any_admin, query))
    if search_backend.query_tokens(query):
        assert found <= _allowed(query, people)
    else:
        assert not found


def test_subject_find_with_syntax_in_identifiers_finds_nobody_and_never_fails(
    any_db: Database, any_admin: Actor, people: dict[int, str]
) -> None:
    problems = []
    for value in SYNTAX:
        for kind in ("email", "phone", "customer_id", "name"):
            try:
                found = records.find_subject(any_db, any_admin, [(kind, value)])
            except ConsoleError:
                continue  # a value that is no identifier of that kind: a clear message is fine
            except Exception as exc:
                problems.append(f"{kind}={json.dumps(value)}: {type(exc).__name__}: {exc}"[:240])
                continue
            exact = {"C-1001", "c-1001", "Ö", "çelik", "email:ana@example.org", "ana\tlima"}
            if found.records and value not in exact:
                problems.append(f"{kind}={json.dumps(value)} found {len(found.records)} records")
    assert not problems, "\n".join(problems)
