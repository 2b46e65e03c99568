"""One request contract (qa/request.py) for the library and the HTTP API: the same limits."""
from __future__ import annotations

import pytest

from qa.request import MAX_HISTORY, MAX_K, MAX_QUESTION_CHARS, QuestionError, clean_history, clean_question


def test_library_limits():
    assert clean_history([f"q{i}" for i in range(MAX_HISTORY + 5)]) == [f"q{i}" for i in range(5, MAX_HISTORY + 5)]
    assert clean_question("x" * MAX_QUESTION_CHARS)
    with pytest.raises(QuestionError):
        clean_question("x" * (MAX_QUESTION_CHARS + 1))


@pytest.fixture(scope="module")
def client(assistant, tmp_path_factory):
    from fastapi.testclient import TestClient

    from qa.serve.server import Settings, create_app

    return TestClient(create_app(assistant, Settings(rate_limit_per_minute=0, data_dir=tmp_path_factory.mktemp("d"))))


def test_api_takes_its_limits_from_the_request_contract(client):
    ok = {"question": "Who broke the story?", "history": ["Who?"] * MAX_HISTORY, "k": MAX_K}
    assert client.post("/api/ask", json=ok).status_code == 200
    for bad in ({**ok, "history": ["Who?"] * (MAX_HISTORY + 1)}, {**ok, "k": MAX_K + 1},
                {**ok, "question": "x" * (MAX_QUESTION_CHARS + 1)}):
        assert client.post("/api/ask", json=bad).status_code == 422
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AskRequest"]["properties"]
    assert schema["history"]["maxItems"] == MAX_HISTORY and schema["k"]["maximum"] == MAX_K
