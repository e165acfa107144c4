"""The server's defences, on SQLite and PostgreSQL: every route is walked, none is listed by hand.

Without a login every coach route answers 401; with another coach's login
every route naming an id answers 404 (as if it did not exist); an unsafe
method without the login's CSRF token answers 403; every file-serving route
refuses paths that leave its folder; an athlete's link stops working once
rotated or revoked; oversized and mislabelled uploads leave nothing behind;
failed logins are throttled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from runform.server.auth import SESSION_COOKIE, log_in
from runform.server.models import Athlete, AuthSession, LoginAttempt, Note, Session

from .api_helpers import (
    Coach,
    Server,
    analysis_sources,  # noqa: F401 (a fixture)
    make_video,
    publish_analysis,
    run_server,
)

SECRET = "top secret: not for this client"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: The only coach routes without an id: they act on the caller's own account or roster.
OWN_ROUTES = {("GET", "/api/me"), ("POST", "/api/logout"), ("GET", "/api/athletes"),
              ("POST", "/api/athletes")}  # fmt: skip


@dataclasses.dataclass
class World:
    """Two coaches, each with an athlete; coach A's athlete has two analysed sessions and a note."""

    server: Server
    a: Coach
    b: Coach
    ids: dict[str, Any]
    b_ids: dict[str, Any]
    video: bytes


def list_routes(server: Server, *, link: bool) -> list[tuple[str, str]]:
    """Every (method, path) of the API (from its OpenAPI document): the link's, or the coach's."""
    found = []
    for path, operations in server.app.openapi()["paths"].items():
        if path == "/api/login" or path.startswith("/api/a/") != link:
            continue
        found += [(method.upper(), path) for method in sorted(operations)]
    return found


def fill(path: str, ids: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(ids[m.group(1)]), path)


def send_raw(server: Server, method: str, raw_path: str, cookie: str) -> tuple[int, bytes]:
    """Send a request path exactly as written (``curl --path-as-is``), straight to the app."""
    import anyio

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": unquote(raw_path), "raw_path": raw_path.encode(),
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1000),
        "server": ("testserver", 80), "headers": [(b"host", b"testserver"),
                                                  (b"cookie", cookie.encode())],
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    anyio.run(server.app, scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def request_body(method: str, path: str, video: bytes) -> dict[str, Any]:
    """A valid body for the routes that take one (so the answer is about access, not input)."""
    if path.endswith("/sessions") and method == "POST":
        return {"content": video, "params": {"filename": "run.mp4"}}
    if (path.endswith("/notes") and method == "POST") or path.startswith("/api/notes/"):
        return {"json": {"text": "a note"}} if method in UNSAFE else {}
    if path.startswith("/api/athletes") and method in {"POST", "PATCH"}:
        return {"json": {"name": "Someone"}}
    return {}


@pytest.fixture
def world(tmp_path, database_url, analysis_sources) -> World:  # noqa: F811
    with run_server(tmp_path, database_url, max_upload_bytes=100_000) as server:
        server.add_coach("a@example.org")
        server.add_coach("b@example.org")
        a, b = server.log_in("a@example.org"), server.log_in("b@example.org")
        athlete, other = a.add_athlete("Ana"), b.add_athlete("Bo")
        sessions = []
        for seed in (1, 2):
            answer = a.upload(athlete, make_video(tmp_path / f"run{seed}.mp4", seed=seed))
            assert answer.status_code == 201, answer.text
            sessions.append(answer.json()["id"])
        theirs = b.upload(other, make_video(tmp_path / "b.mp4", seed=3)).json()["id"]
        for session, source in zip([*sessions, theirs], [*analysis_sources, analysis_sources[0]],
                                   strict=True):  # fmt: skip
            publish_analysis(server, session, source)
        note = a.post(f"/api/sessions/{sessions[0]}/notes", json={"text": "hips", "time_s": 1.0})
        (server.data / "secret.txt").write_text(SECRET)
        plant_symlinks(server.result_folder(sessions[0]), server.data)
        ids = {"athlete_id": athlete, "session_id": sessions[0], "other_id": sessions[1],
               "note_id": note.json()["id"], "path": "report.html", "token": a.make_link(athlete)}  # fmt: skip
        b_ids = {"athlete_id": other, "session_id": theirs, "token": b.make_link(other)}
        video = (tmp_path / "run1.mp4").read_bytes()
        yield World(server, a, b, ids, b_ids, video)


def served_name(path: str) -> str:
    """A file the route serves (a report)."""
    reports = {"/compare/": "comparison.html", "/progress/": "progress.html"}
    return next((name for part, name in reports.items() if part in path), "report.html")


def plant_symlinks(folder: Path, data: Path) -> None:
    """Links inside a served folder that point out of it."""
    for name, target in (("leak.txt", data / "secret.txt"), ("leakdir", data)):
        if not (folder / name).is_symlink():
            (folder / name).symlink_to(target)


def snapshot(server: Server) -> tuple:
    """What a refused request must not change."""
    with server.db() as db:
        athletes = db.execute(sa.select(Athlete.id, Athlete.name, Athlete.token_hash,
                                        Athlete.height_cm).order_by(Athlete.id)).all()  # fmt: skip
        notes = db.execute(sa.select(Note.id, Note.text).order_by(Note.id)).all()
        sessions = db.scalar(sa.select(sa.func.count()).select_from(Session))
    files = sorted(str(p.relative_to(server.data)) for p in server.data.rglob("*")
                   if "cache" not in p.parts and not p.name.startswith("runform.sqlite3"))  # fmt: skip
    return athletes, notes, sessions, files


def test_every_coach_route_needs_a_login(world):
    routes = list_routes(world.server, link=False)
    assert len(routes) >= 20 and ("GET", "/api/sessions/{session_id}/files/{path}") in routes
    before = snapshot(world.server)
    anonymous, forged = world.server.client(), world.server.client()
    forged.cookies.set(SESSION_COOKIE, secrets.token_urlsafe(32))
    for method, path in routes:
        for client in (anonymous, forged):
            answer = client.request(method, fill(path, world.ids),
                                    **request_body(method, path, world.video))  # fmt: skip
            assert answer.status_code == 401, (method, path, answer.text)
    assert snapshot(world.server) == before


def test_another_coachs_ids_are_not_found(world):
    routes = [r for r in list_routes(world.server, link=False) if r not in OWN_ROUTES]
    assert all("{" in path for _, path in routes), "a new route without an id: review OWN_ROUTES"
    for method, path in routes:  # the owner reaches each of them
        if method == "GET":
            url = fill(path, {**world.ids, "path": served_name(path)})
            assert world.a.get(url).status_code == 200, path
    before = snapshot(world.server)
    for method, path in routes:
        answer = world.b.client.request(method, fill(path, world.ids), headers=world.b.headers,
                                        **request_body(method, path, world.video))  # fmt: skip
        assert answer.status_code == 404, (method, path, answer.text)
    # one's own session compared with another coach's: still not found
    mixed = f"/api/sessions/{world.b_ids['session_id']}/compare/{world.ids['session_id']}"
    assert world.b.get(mixed).status_code == 404
    assert snapshot(world.server) == before
    assert world.server.scratch_files() == []


def test_unsafe_requests_need_this_logins_csrf_token(world):
    routes = [r for r in list_routes(world.server, link=False) if r[0] in UNSAFE]
    assert len(routes) >= 10
    before = snapshot(world.server)
    for method, path in routes:
        for headers in ({}, {"X-CSRF-Token": "wrong"}, world.b.headers, {"X-CSRF-Token": ""}):
            answer = world.a.client.request(method, fill(path, world.ids), headers=headers,
                                            **request_body(method, path, world.video))  # fmt: skip
            assert answer.status_code == 403, (method, path, headers, answer.text)
    assert snapshot(world.server) == before
    assert world.a.get("/api/me").status_code == 200  # still logged in


TRAVERSALS = [
    "../../../secret.txt", "%2e%2e/%2e%2e/%2e%2e/secret.txt", "..%2f..%2f..%2fsecret.txt",
    "%2E%2E%2F%2E%2E%2F%2E%2E%2Fsecret.txt", "plots/../../../../secret.txt", "/etc/passwd",
    "%2Fetc%2Fpasswd", "..%5c..%5c..%5csecret.txt", "leak.txt", "leakdir/secret.txt",
    "leakdir/runform.sqlite3", ".", "%2e", "plots/..", "report.html%00.png", "..",
    "%252e%252e/%252e%252e/secret.txt", "plots", "",
]  # fmt: skip


def test_path_traversal_is_refused_on_every_file_route(world):
    routes = [(m, p, False) for m, p in list_routes(world.server, link=False) if "{path" in p]
    routes += [(m, p, True) for m, p in list_routes(world.server, link=True) if "{path" in p]
    assert len(routes) >= 5
    for method, path, link in routes:
        client = world.server.client() if link else world.a.client
        good = client.request(method, fill(path, {**world.ids, "path": served_name(path)}))
        assert good.status_code == 200, (path, good.text)  # the route does serve files
        for folder in world.server.data.glob("cache/*/*-*"):  # the reports it built
            plant_symlinks(folder, world.server.data)
        prefix = fill(path, {**world.ids, "path": ""})
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        for attack in TRAVERSALS:
            url = prefix + attack
            if client.build_request(method, url).url.raw_path.decode() == url:
                answer = client.request(method, url)
                status, content = answer.status_code, answer.content
            else:  # the client would remove the dot segments: send them as they are
                status, content = send_raw(world.server, method, url, cookie)
            assert status == 404, (url, status)
            assert SECRET.encode() not in content and b"SQLite" not in content, url


def test_an_athletes_link_stops_working_when_rotated_or_revoked(world):
    routes = list_routes(world.server, link=True)
    assert len(routes) >= 9
    old = world.ids["token"]
    fresh = world.a.make_link(world.ids["athlete_id"])  # rotate
    client = world.server.client()
    assert client.get(f"/api/a/{fresh}").json()["name"] == "Ana"
    for token in (old, secrets.token_urlsafe(32), "x", "%2e%2e"):
        for method, path in routes:
            answer = client.request(method, fill(path, {**world.ids, "token": token}),
                                    **request_body(method, path, world.video))  # fmt: skip
            assert answer.status_code == 404, (token, method, path, answer.text)
    # a valid link reaches only its own athlete's sessions
    for method, path in routes:
        if "{session_id}" in path:
            url = fill(path, {**world.ids, "token": fresh, "session_id": world.b_ids["session_id"]})
            assert client.request(method, url).status_code == 404, url
    assert world.a.delete(f"/api/athletes/{world.ids['athlete_id']}/link").status_code == 204
    for method, path in routes:
        answer = client.request(method, fill(path, {**world.ids, "token": fresh}),
                                **request_body(method, path, world.video))  # fmt: skip
        assert answer.status_code == 404, (method, path)
    assert world.server.scratch_files() == []


def test_an_oversized_upload_is_refused_and_leaves_nothing(world, tmp_path):
    big = make_video(tmp_path / "big.mp4", seed=9, frames=200)
    assert big.stat().st_size > world.server.settings.max_upload_bytes
    before = snapshot(world.server)
    url = f"/api/athletes/{world.ids['athlete_id']}/sessions?filename=big.mp4"

    def chunks():  # no Content-Length: the limit is enforced while streaming
        data = big.read_bytes()
        for start in range(0, len(data), 8192):
            yield data[start : start + 8192]

    for body in (big.read_bytes(), chunks()):
        answer = world.a.post(url, content=body)
        assert answer.status_code == 413, answer.text
        assert "limit" in answer.json()["detail"]
        assert world.server.scratch_files() == []
    link = world.server.client().post(f"/api/a/{world.ids['token']}/sessions?filename=big.mp4",
                                      content=chunks())  # fmt: skip
    assert link.status_code == 413 and world.server.scratch_files() == []
    assert snapshot(world.server) == before


def test_a_mislabelled_upload_is_refused_with_its_reason_and_nothing_is_kept(world):
    before = snapshot(world.server)
    text = b"this is a shopping list, not a video\n" * 50
    for client, url in ((world.a, f"/api/athletes/{world.ids['athlete_id']}/sessions"),
                        (world.server.client(), f"/api/a/{world.ids['token']}/sessions")):  # fmt: skip
        answer = client.post(url, params={"filename": "run.mp4"}, content=text)
        assert answer.status_code == 422, answer.text
        detail = answer.json()["detail"]
        assert "run.mp4" in detail and "not a recognised video" in detail
        assert str(world.server.data) not in detail  # no server paths in the answer
        assert world.server.scratch_files() == []
    assert snapshot(world.server) == before


def test_failed_logins_are_throttled_per_account(world):
    server = world.server
    client = server.client()
    for _ in range(5):
        answer = client.post("/api/login", json={"email": "a@example.org", "password": "nope"})
        assert answer.status_code == 401
    answer = client.post(
        "/api/login", json={"email": "A@Example.org ", "password": "correct horse battery"}
    )
    assert answer.status_code == 429 and 0 < int(answer.headers["Retry-After"]) <= 15 * 60
    assert SESSION_COOKIE not in answer.cookies
    assert server.count(LoginAttempt) == 10  # by account and by address
    # another account from the same address is not locked out
    assert client.post("/api/login", json={"email": "b@example.org",
                                           "password": "correct horse battery"}).status_code == 200  # fmt: skip


def test_failed_logins_are_throttled_per_address_and_the_window_passes(world):
    server = world.server
    now = dt.datetime.now(dt.UTC)
    with server.db() as db:
        db.add_all(LoginAttempt(key="ip:testclient", at=now) for _ in range(20))
    answer = server.client().post("/api/login", json={"email": "b@example.org",
                                                      "password": "correct horse battery"})  # fmt: skip
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    with server.db() as db:  # sixteen minutes later the address may try again
        later = now + dt.timedelta(minutes=16)
        login = log_in(db, "b@example.org", "correct horse battery", "testclient", now=later)
        assert login.identity.email == "b@example.org"


def test_wrong_password_and_unknown_account_answer_alike(world):
    client = world.server.client()
    wrong = client.post("/api/login", json={"email": "a@example.org", "password": "nope"})
    unknown = client.post("/api/login", json={"email": "z@example.org", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_the_login_cookie_is_httponly_lax_and_ends_with_logout(world):
    client = world.server.client()
    answer = client.post(
        "/api/login", json={"email": "a@example.org", "password": "correct horse battery"}
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert answer.json()["csrf_token"] not in answer.headers["set-cookie"]
    token = client.cookies.get(SESSION_COOKIE)
    with world.server.db() as db:  # only a hash of the token is stored
        stored = db.scalars(sa.select(AuthSession.token_hash)).all()
    assert token not in stored and len(stored) == 3
    csrf = answer.json()["csrf_token"]
    assert client.post("/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    replay = world.server.client()
    replay.cookies.set(SESSION_COOKIE, token)
    assert replay.get("/api/me").status_code == 401
    assert world.a.get("/api/me").status_code == 200  # other logins are untouched


def test_an_expired_login_is_refused(world):
    with world.server.db() as db:
        db.execute(sa.update(AuthSession).where(AuthSession.coach_id == world.a.id)
                   .values(expires=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))  # fmt: skip
    assert world.a.get("/api/athletes").status_code == 401


def test_cookies_are_secure_behind_tls(tmp_path, database_url):
    with run_server(tmp_path, database_url, secure_cookies=True) as server:
        server.add_coach("a@example.org")
        client = server.client(https=True)
        answer = client.post("/api/login", json={"email": "a@example.org",
                                                 "password": "correct horse battery"})  # fmt: skip
        assert "; secure" in answer.headers["set-cookie"].lower()
        assert client.get("/api/me").status_code == 200
        plain = server.client()  # over plain HTTP the client keeps the cookie to itself
        plain.cookies = client.cookies
        assert plain.get("/api/me").status_code == 401


def test_every_answer_carries_the_security_headers(world):
    for answer in (world.a.get("/api/athletes"), world.server.client().get("/api/me"),
                   world.server.client().get(f"/api/a/{world.ids['token']}")):  # fmt: skip
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-content-type-options"] == "nosniff"
