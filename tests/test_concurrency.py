"""Concurrent toggles of one learner and lecture: no error, no duplicate, the last write wins."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from progress.models import LectureProgress, ProgressEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL"),
]

THREADS = 12
ROUNDS = 5
URL = "/lectures/training-data/watched/"


def run_together(calls):
    """Start every call at the same moment, each in a thread with its own connection."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_mixed_toggles_never_fail_or_duplicate(course, learner, round_):
    clients = []
    for _ in range(THREADS):
        browser = Client()
        browser.force_login(learner)
        clients.append(browser)
    values = ["true" if index % 2 == 0 else "false" for index in range(THREADS)]
    calls = [
        lambda browser=browser, value=value: browser.post(URL, {"watched": value}).status_code
        for browser, value in zip(clients, values, strict=True)
    ]

    results, errors = run_together(calls)

    assert errors == []
    assert results == [303] * THREADS
    rows = LectureProgress.objects.filter(user=learner, lecture__slug="training-data").count()
    assert rows <= 1
    actions = list(ProgressEvent.objects.filter(user=learner).order_by("pk").values_list("action", flat=True))
    # Every logged event is a real change, so they alternate, starting with a mark.
    assert actions == ["marked", "unmarked"] * (len(actions) // 2) + ["marked"] * (len(actions) % 2)
    # The final state is the last write that changed anything.
    assert rows == (1 if actions and actions[-1] == "marked" else 0)
