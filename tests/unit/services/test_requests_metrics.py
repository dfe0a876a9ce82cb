"""The Requests list, the dashboard figures, and the CCPA §7101 register and §7102 metrics."""

from __future__ import annotations

import datetime as dt

import pytest

from console.domain.permissions import Role
from console.reports import verify_file
from console.services import policy
from console.services.context import Actor
from console.services.reporting import catalogue as reports
from console.services.requests import lifecycle as dsr
from console.services.requests import metrics as m

D = dt.date


@pytest.fixture
def officer(db, admin, make_user) -> Actor:
    policy.ensure_default_pack(db, admin)
    return make_user(Role.PRIVACY_OFFICER, "olivia")


def _new(db, officer, rtype, received, email="a@example.com"):
    return dsr.create_request(
        db, officer, dsr.Intake(rtype, "ccpa", received, emails=(email,), channel="web_form")
    )


def _close(db, officer, view, on, *, deny: str | None = None):
    if deny:
        return dsr.deny(db, officer, view.id, deny, "", today=on)
    dsr.verify_identity(db, officer, view.id, "email", "E-1")
    dsr.advance(db, officer, view.id, "review")
    return dsr.advance(db, officer, view.id, "completed", today=on)


def test_metrics_count_by_type_with_mean_and_median_days(db, officer) -> None:
    _close(db, officer, _new(db, officer, "access", D(2024, 1, 1)), D(2024, 1, 11))
    _close(db, officer, _new(db, officer, "access", D(2024, 1, 5), "b@example.com"), D(2024, 2, 4))
    _close(
        db,
        officer,
        _new(db, officer, "access", D(2024, 1, 9), "c@example.com"),
        D(2024, 1, 10),
        deny="not_a_consumer",
    )
    _new(db, officer, "deletion", D(2024, 2, 1))
    by_type = {
        x.request_type: x
        for x in m.metrics(db, officer, since=D(2024, 1, 1), until=D(2024, 12, 31))
    }
    access = by_type["access"]
    assert (access.received, access.complied, access.denied) == (3, 2, 1)
    assert access.denied_by_reason == {"not_a_consumer": 1}
    assert access.mean_days == pytest.approx(13.7) and access.median_days == 10.0
    assert by_type["deletion"].pending == 1 and by_type["deletion"].mean_days is None
    rows = list(m.register_rows(db, officer, since=D(2024, 1, 1), until=D(2024, 1, 31)))
    assert [r.response for r in rows] == ["Complied in whole", "Complied in whole", "Denied"]
    assert rows[2].denial_reason == "not_a_consumer" and rows[0].channel == "web_form"


def test_the_list_filters_and_sorts_and_rows_keep_the_order_asked(db, officer) -> None:
    a = _new(db, officer, "access", D(2024, 3, 1))
    b = _new(db, officer, "deletion", D(2024, 1, 1), "b@example.com")
    assert m.request_ids(db, officer) == [b.id, a.id]
    assert m.request_ids(db, officer, sort="received", descending=True) == [a.id, b.id]
    assert m.request_ids(db, officer, m.RequestFilter(types=("access",))) == [a.id]
    overdue = m.request_ids(db, officer, m.RequestFilter(overdue_on=D(2024, 2, 20)))
    assert overdue == [b.id]
    assert [r.id for r in m.request_rows(db, officer, [a.id, b.id])] == [a.id, b.id]


def test_the_register_and_a_case_file_export_and_verify(db, officer, tmp_path) -> None:
    view = _new(db, officer, "access", D(2024, 3, 1))
    for name, params in (
        ("dsr-register", reports.ReportParams()),
        ("dsr-metrics", reports.ReportParams()),
        ("case-file", reports.ReportParams(object_id=view.id)),
    ):
        for fmt in ("pdf", "xlsx"):
            result = reports.run_report(db, officer, name, fmt, tmp_path / f"{name}.{fmt}", params)
            assert verify_file(result.path).ok
