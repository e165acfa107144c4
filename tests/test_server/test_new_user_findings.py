"""What a new user ran into, tried by hand against a real server, each kept as a regression test.

On SQLite and PostgreSQL: ids too large for the database, ``NaN`` in a JSON
body and NUL characters in names answered 500 with a traceback; a multipart
upload (``curl -F``) was refused as "not a recognised video format"; an
upload's name kept its folders and control characters.
"""

from __future__ import annotations

import re

import pytest

from .api_helpers import run_server

#: Ids past SQLite's and PostgreSQL's integer columns (and one inside, that does not exist).
HUGE_IDS = [2**63, 2**31, 99999999999999999999999, 2**31 - 1]


def _fill(path: str, value: object) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}",
                  lambda m: "report.html" if m.group(1) == "path" else str(value), path)  # fmt: skip


@pytest.fixture
def world(tmp_path, database_url):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        coach = server.log_in("a@example.org")
        athlete = coach.add_athlete("Ana")
        token = coach.make_link(athlete)
        yield server, coach, athlete, token



def test_ids_too_large_for_the_database_are_not_found(world):
    server, coach, _athlete, token = world
    routes = [(method.upper(), path)
              for path, operations in server.app.openapi()["paths"].items()
              for method in operations if "_id}" in path]  # fmt: skip
    assert len(routes) >= 20
    bodies = {"POST": {"json": {"text": "x", "name": "x"}}, "PATCH": {"json": {"text": "x"}}}
    for method, path in routes:
        for value in HUGE_IDS:
            url = _fill(path.replace("{token}", token), value)
            answer = coach.client.request(method, url, headers=coach.headers,
                                          **bodies.get(method, {}))  # fmt: skip
            assert answer.status_code in (404, 422), (method, url, answer.text)
            assert answer.headers["content-type"].startswith("application/json"), (method, url)
