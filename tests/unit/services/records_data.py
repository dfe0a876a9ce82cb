"""Small real export files for the records tests (each test writes its own into tmp_path)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from console.importers.mapping import Mapping
from console.services.context import Actor
from console.services.records import imports, sources
from console.store.db import Database

CRM_HEADER = ["Customer ID", "Email", "Phone", "Full Name", "IP"]
CRM_ROWS = [
    ["C1", "Ana@Example.com", "(555) 010-1234", "Jürgen Müller", "203.0.113.7"],
    ["C2", "zoe@example.com", "+44 20 7946 0001", "Zoë Martin", "203.0.113.7"],
    ["C3", "test@test.com", "0000000000", "Łukasz Nowak", "198.51.100.1"],
    ["C4", "wang@example.cn", "", "王小明", ""],
    ["C5", "alex@example.gr", "", "Αλέξανδρος Παπαδόπουλος", ""],
    ["C6", "m@example.ae", "", "محمد حداد", ""],
]
CRM_MAPPING = {
    "columns": {
        "Customer ID": {"identifier": "customer_id", "category": "account.customer_id"},
        "Email": {"identifier": "email", "category": "contact.email"},
        "Phone": {"identifier": "phone", "category": "contact.phone"},
        "Full Name": {"identifier": "name", "category": "contact.name"},
        "IP": {"identifier": "ip", "category": "technical.ip_address"},
    },
    "record_key": ["Customer ID"],
}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def crm(db: Database, actor: Actor, tmp: Path) -> imports.ImportResult:
    sources.add_source(db, actor, "CRM", "crm")
    path = write_csv(tmp / "crm.csv", CRM_HEADER, CRM_ROWS)
    return imports.run_import(
        db, actor, path, "CRM", Mapping.from_json(CRM_MAPPING, source_name="t")
    )


def chain(db: Database, actor: Actor, tmp: Path) -> None:
    """cookie → (login) customer id → (payment) email → newsletter, plus an unrelated visitor."""
    sources.add_source(db, actor, "Cookies", "cookie")
    sources.add_source(db, actor, "Payments", "transaction")
    sources.add_source(db, actor, "Newsletter", "marketing")
    cookies = write_jsonl(
        tmp / "cookies.jsonl",
        [
            {"cookie": "ck-1", "customer": None, "page": "/pricing", "ip": "198.51.100.7"},
            {"cookie": "ck-1", "customer": "K-42", "page": "/login", "ip": "198.51.100.7"},
            {"cookie": "ck-2", "customer": None, "page": "/", "ip": "198.51.100.7"},
        ],
    )
    imports.run_import(
        db,
        actor,
        cookies,
        "Cookies",
        Mapping.from_json(
            {
                "columns": {
                    "cookie": {"identifier": "cookie_id"},
                    "customer": {"identifier": "customer_id"},
                    "ip": {"identifier": "ip"},
                }
            },
            source_name="t",
        ),
    )
    pay = write_csv(
        tmp / "payments.csv",
        ["Payment", "Customer", "Email"],
        [["P1", "K-42", "mei@example.jp"], ["P2", "K-77", "other@example.com"]],
    )
    imports.run_import(
        db,
        actor,
        pay,
        "Payments",
        Mapping.from_json(
            {
                "columns": {
                    "Payment": {"identifier": "order_id"},
                    "Customer": {"identifier": "customer_id"},
                    "Email": {"identifier": "email"},
                }
            },
            source_name="t",
        ),
    )
    news = write_csv(tmp / "news.csv", ["Email"], [["MEI@example.jp"], ["x@example.org"]])
    imports.run_import(
        db,
        actor,
        news,
        "Newsletter",
        Mapping.from_json({"columns": {"Email": {"identifier": "email"}}}, source_name="t"),
    )
