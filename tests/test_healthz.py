import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_it_reports_a_healthy_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import connection

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_it_rejects_post(client):
    assert client.post("/healthz").status_code == 405
