"""The policy health check as a service, a command and an internal PDF/XLSX report, read back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from console.domain.labels import code_looking
from console.reports import verify_file
from console.services import policy, policy_health
from console.services.context import Actor
from console.services.reporting import catalogue as reports
from console.store.db import Database

ON = dt.date(2026, 12, 4)
# What issue 16 requires the check to find in ClientPay's 2019 statement: no retention periods
# (GDPR Art. 13(2)(a)), no legal bases (Art. 13(1)(c)), no DPO or rights contact (Art. 13(1)(b),
# 11 CCR §7011(e)(3)), no transfer safeguards (Art. 13(1)(f)), DNT/GPC not honoured (§7025),
# advertising cookies not disclosed as sharing (Cal. Civ. Code §1798.140(ah)).
REQUIRED = ("G7", "G3", "G2", "C14", "G6", "C12", "C5")


@pytest.fixture
def checked(db: Database, admin: Actor) -> Actor:
    policy.ensure_default_pack(db, admin)
    return admin


def test_the_service_checks_the_pack_in_force(db, checked) -> None:
    report = policy_health.health_check(db, checked, ON)
    assert report.pack_version == "2019-07-02.3"
    for rule in REQUIRED:
        assert report.finding(rule) is not None, rule
    assert "P1" in report.passed and "P2" in report.passed


def test_the_report_exports_as_pdf_and_xlsx_marked_internal(db, checked, tmp_path: Path) -> None:
    params = reports.ReportParams(until=ON)
    pdf = reports.run_report(db, checked, "policy-check", "pdf", tmp_path / "check.pdf", params)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf.path).pages).split())
    assert "Internal — not for publication" in text
    assert "11 CCR §7025(b)-(c)" in text and "Retention period" in text
    assert verify_file(pdf.path).ok
    xlsx = reports.run_report(db, checked, "policy-check", "xlsx", tmp_path / "check.xlsx", params)
    book = load_workbook(xlsx.path, read_only=True)
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    rules = {c for c in cells if isinstance(c, str) and c in REQUIRED}
    assert rules == set(REQUIRED)
    words = " ".join(str(c) for c in cells if c is not None)
    assert code_looking(words.replace("policy-check", "")) == []


def test_policy_check_on_the_command_line(run_cli) -> None:
    run_cli("init", "--admin", "ada")
    code, out, err = run_cli("--user", "ada", "policy", "check", "--on", "2026-12-04", "--json")
    assert code == 0, err
    data = json.loads(out)
    found = {f["rule"]: f for f in data["findings"]}
    for rule in REQUIRED:
        assert rule in found, rule
    assert found["C12"]["citation"].startswith("11 CCR §7025")
    assert found["C12"]["says"] and found["C12"]["add"]
    code, out, _ = run_cli("--user", "ada", "policy", "check", "--on", "2026-12-04")
    assert code == 0 and "findings" in out.splitlines()[0] and "Add: " in out
