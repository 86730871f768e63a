"""The REST API: bearer tokens scoped to a town, idempotent intake, cases, violations, problems."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.api_tokens import create_token, revoke_token
from engine.cli import main
from engine.clock import VirtualClock
from engine.models import ApiToken, Message
from engine.runtime import Runtime
from engine.scheduler import tick
from tests.web.conftest import PASSWORD, login, on_both_databases, send_message

Sessions = sessionmaker[Session]


def token_for(sessions: Sessions, runtime: Runtime, municipality: str = "example") -> str:
    """A live token of an integration of the town."""
    with sessions.begin() as session:
        return create_token(session, runtime, "CRM", municipality, "admin").plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def incoming(external_id: str, runtime: Runtime, **fields: Any) -> dict[str, Any]:
    return {
        "source": "vk",
        "external_id": external_id,
        "author": "Иван Петров",
        "author_id": "id100",
        "text": "Не вывозят мусор во дворе дома 7",
        "received_at": runtime.clock.now().isoformat(),
        "payload": {"reply": {"channel": "vk", "owner_id": -1, "post_id": 7}},
        **fields,
    }


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_spec_and_its_page_are_served_locally(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/api/messages", "/api/cases/{case_id}", "/api/violations"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "received_at" in spec["components"]["schemas"]["IncomingMessage"]["properties"]
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "https://" not in page.text and "unpkg" not in page.text  # no CDN
    bundle = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    bundle.close()


@on_both_databases
def test_requests_without_a_live_token_are_refused(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    missing = client.get("/api/violations")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.content_type == "application/problem+json"
    assert client.get("/api/violations", headers=bearer("rgl_wrong")).status_code == 401
    token = token_for(sessions, web_runtime)
    assert client.get("/api/violations", headers=bearer(token)).status_code == 200
    with sessions.begin() as session:
        token_id = session.scalars(select(ApiToken.id)).one()
        revoke_token(session, web_runtime, token_id, "admin")
    revoked = client.get("/api/violations", headers=bearer(token))
    assert (revoked.status_code, revoked.json["detail"]) == (401, "Токен неизвестен или отозван.")
    with sessions() as session:  # only the hash is kept
        assert token not in {row.token_hash for row in session.scalars(select(ApiToken))}


@on_both_databases
def test_a_message_is_registered_once_per_idempotency_key(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    headers = {**bearer(token_for(sessions, web_runtime)), "Idempotency-Key": "crm-42"}
    body = incoming("42", web_runtime)
    first = client.post("/api/messages", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json["repeat"] is False and first.json["case_id"]
    again = client.post("/api/messages", json=body, headers=headers)
    assert (again.status_code, again.json) == (201, first.json)
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/messages", json={**body, "text": "Другое"}, headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    unkeyed = client.post("/api/messages", json=body, headers=bearer_only(headers))
    assert unkeyed.status_code == 409
    assert unkeyed.json["case_id"] == first.json["case_id"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 1


def bearer_only(headers: dict[str, str]) -> dict[str, str]:
    return {"Authorization": headers["Authorization"]}


def test_field_errors_come_as_problem_details_and_nothing_is_stored(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    headers = bearer(token_for(sessions, web_runtime))
    bad = incoming("7", web_runtime, received_at="вчера", channel="fax")
    del bad["author"]
    refused = client.post("/api/messages", json=bad, headers=headers)
    assert refused.status_code == 422
    assert refused.content_type == "application/problem+json"
    assert set(refused.json["errors"]) == {"received_at", "channel", "author"}
    assert refused.json["errors"]["author"] == ["Обязательное поле."]
    not_json = client.post("/api/messages", data="{", headers=headers)
    assert not_json.status_code == 400
    a_list = client.post("/api/messages", json=[1, 2], headers=headers)
    assert a_list.status_code == 400
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_a_token_works_for_its_own_municipality_only(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    perm = bearer(token_for(sessions, web_runtime, "perm"))
    assert client.get(f"/api/cases/{case}", headers=perm).status_code == 404
    body = incoming("9", web_runtime, municipality="example")
    assert client.post("/api/messages", json=body, headers=perm).status_code == 403
    own = client.get(f"/api/cases/{case}", headers=bearer(token_for(sessions, web_runtime)))
    assert own.status_code == 200
    assert own.json["status"] == "running" and own.json["municipality"] == "example"
    assert [step["element_id"] for step in own.json["current_steps"]] == ["screen"]
    assert own.json["deadlines"][0]["state"] == "armed"
    assert own.json["answer"] == {
        "text": None,
        "published_url": None,
        "published_at": None,
        "publication": None,
    }


@pytest.mark.parametrize("path", ["/api/cases/0", "/api/cases/99999999999", "/api/cases/x"])
def test_no_such_case_is_404(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime, path: str
) -> None:
    response = client.get(path, headers=bearer(token_for(sessions, web_runtime)))
    assert response.status_code == 404 and response.content_type == "application/problem+json"


@on_both_databases
def test_violations_are_filtered_and_paged(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime, clock: VirtualClock
) -> None:
    cases = [send_message(sessions, web_runtime, str(n), author_id=f"id{n}") for n in range(3)]
    clock.advance(timedelta(days=3))  # every screening deadline passes
    tick(sessions, web_runtime)
    headers = bearer(token_for(sessions, web_runtime))
    every = client.get("/api/violations?per_page=100", headers=headers).json
    total = every["total"]
    assert total == len(every["items"]) >= 3
    assert {item["case_id"] for item in every["items"]} == set(cases)
    pages = [
        client.get(f"/api/violations?per_page=2&page={n}", headers=headers).json
        for n in range(1, (total + 1) // 2 + 2)
    ]
    assert pages[-1]["items"] == [] and all(len(page["items"]) == 2 for page in pages[:-2])
    assert all(page["total"] == total and page["per_page"] == 2 for page in pages)
    paged = [item["id"] for page in pages for item in page["items"]]
    assert paged == [item["id"] for item in every["items"]]  # the same order, no overlap
    one = client.get(f"/api/violations?case_id={cases[1]}", headers=headers).json
    assert {item["case_id"] for item in one["items"]} == {cases[1]}
    assert all(item["step_name"] and item["due_at"] for item in one["items"])
    since = (clock.now() + timedelta(hours=1)).isoformat()
    later = client.get("/api/violations", query_string={"since": since}, headers=headers).json
    assert later["total"] == 0
    perm = client.get("/api/violations", headers=bearer(token_for(sessions, web_runtime, "perm")))
    assert perm.json["total"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [("per_page=0", "per_page"), ("page=x", "page"), ("since=вчера", "since"), ("foo=1", "foo")],
)
def test_a_wrong_filter_is_422_naming_it(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime, query: str, field: str
) -> None:
    response = client.get(
        f"/api/violations?{query}", headers=bearer(token_for(sessions, web_runtime))
    )
    assert response.status_code == 422 and field in response.json["errors"]


def test_malformed_requests_never_answer_500(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    headers = bearer(token_for(sessions, web_runtime))
    bodies: list[Any] = [
        None,
        "text",
        {"external_id": 10**400},
        {"payload": {"a": [[[[[[1]]]]]]}},
        incoming("1", web_runtime, text="\x00"),
        incoming("1", web_runtime, received_at="2026-02-30T10:00:00+03:00"),
        incoming("1" * 10_000, web_runtime),
    ]
    for body in bodies:
        response = client.post("/api/messages", json=body, headers=headers)
        assert 400 <= response.status_code < 500, (body, response.text)
    odd = {**headers, "Idempotency-Key": "k" * 1000}
    assert client.post("/api/messages", json={}, headers=odd).status_code == 422
    assert client.delete("/api/messages", headers=headers).status_code == 405
    assert (
        client.get("/api/violations?case_id=99999999999999999999", headers=headers).status_code
        < 500
    )


def test_tokens_are_created_and_revoked_from_the_command_line(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()
    created = runner.invoke(main, ["token", "create", "CRM", "-m", "example"])
    assert created.exit_code == 0, created.output
    plain = created.output.strip().splitlines()[-1]
    assert plain.startswith("rgl_")
    listed = runner.invoke(main, ["token", "list"])
    assert plain[:12] in listed.output and plain not in listed.output and "active" in listed.output
    assert runner.invoke(main, ["token", "revoke", "1"]).exit_code == 0
    assert "revoked" in runner.invoke(main, ["token", "list"]).output
    unknown = runner.invoke(main, ["token", "create", "CRM", "-m", "atlantis"])
    assert unknown.exit_code != 0 and "Неизвестный муниципалитет" in unknown.output


def test_an_administrator_creates_and_revokes_tokens_on_the_page(
    app: Flask, sessions: Sessions, web_runtime: Runtime
) -> None:
    with sessions.begin() as session:
        create_user(
            session,
            login="admin",
            password=PASSWORD,
            full_name="Ада Админ",
            roles=["administrator"],
            municipality="example",
        )
    admin = login(app.test_client(), "admin")
    created = admin.post("/admin/api-tokens", data={"name": "CRM"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    plain = created.text.split('<code id="new-token">')[1].split("</code>")[0]
    api = app.test_client()
    assert api.get("/api/violations", headers=bearer(plain)).status_code == 200
    assert admin.post("/admin/api-tokens", data={"name": " "}).status_code == 422
    listing = admin.get("/admin/api-tokens").text
    assert plain not in listing and plain[:12] in listing
    with sessions() as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    assert admin.post(f"/admin/api-tokens/{token_id}/revoke").status_code == 302
    assert api.get("/api/violations", headers=bearer(plain)).status_code == 401
    curator = login(app.test_client(), "curator")
    assert curator.get("/admin/api-tokens").status_code == 403
    perm_token = token_for(sessions, web_runtime, "perm")
    with sessions() as session:
        perm_id = session.scalar(select(ApiToken.id).where(ApiToken.municipality == "perm"))
    assert admin.post(f"/admin/api-tokens/{perm_id}/revoke").status_code == 404
    assert api.get("/api/violations", headers=bearer(perm_token)).status_code == 200
