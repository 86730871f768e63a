"""Deploying a version from the browser: checks and scenarios run, refusals say why."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from engine.versioning.listing import version_rows
from tests.conftest import PROCESSES
from tests.engine.versioning.helpers import example_processes
from tests.web.conftest import login
from tests.web.test_versions_admin import _admin

SCENARIOS = PROCESSES / "example" / "v1"


def _post(
    client: FlaskClient, folder: Path, label: str, *scenarios: str, **extra: str
) -> TestResponse:
    data: dict[str, object] = {
        "label": label,
        "confirm": "1",
        "bpmn": (io.BytesIO((folder / "example.bpmn").read_bytes()), "example.bpmn"),
        "forms": (io.BytesIO((folder / "forms.yaml").read_bytes()), "forms.yaml"),
        "deadlines": (io.BytesIO((folder / "deadlines.yaml").read_bytes()), "deadlines.yaml"),
        "scenarios": [(io.BytesIO((SCENARIOS / name).read_bytes()), name) for name in scenarios],
        **extra,
    }
    return client.post("/versions/upload", data=data, content_type="multipart/form-data")


def test_an_administrator_deploys_a_version_whose_scenarios_pass(
    app: Flask, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    _admin(sessions, "example.admin", "example")
    v2 = example_processes(tmp_path) / "example" / "v2"
    client = login(app.test_client(), "example.admin")
    assert client.get("/versions/upload").status_code == 200
    failing = _post(client, v2, "v2", "main_path.scenario.yaml")
    assert failing.status_code == 400
    assert "1 of 1 scenario(s) failed" in failing.text
    none = _post(client, v2, "v2")
    assert none.status_code == 400 and "no scenarios" in none.text
    bad = _post(client, v2, "../v2", "author_never_clarifies.scenario.yaml")
    assert bad.status_code == 400 and "латинские буквы" in bad.text
    unconfirmed = _post(client, v2, "v2", "author_never_clarifies.scenario.yaml", confirm="")
    assert unconfirmed.status_code == 400
    with sessions() as session:
        assert [row.label for row in version_rows(session, "example")] == ["v1"]
    done = _post(client, v2, "v2", "author_never_clarifies.scenario.yaml")
    assert done.status_code == 302, done.text
    page = client.get("/versions/").text
    assert "Версия «v2» развёрнута: сценариев прошло 1." in page
    with sessions() as session:
        rows = version_rows(session, "example")
    assert [(row.label, row.active) for row in rows] == [("v1", True), ("v2", False)]


def test_nobody_else_uploads(app: Flask) -> None:
    client = login(app.test_client(), "curator")
    assert client.get("/versions/upload").status_code == 403
    assert client.post("/versions/upload", data={"label": "v2"}).status_code == 403
