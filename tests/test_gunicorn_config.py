"""gunicorn.conf.py: the worker freezes its long-lived objects out of the garbage collector's sight."""

import gc
import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.fixture
def config():
    yield runpy.run_path(str(CONFIG))
    gc.unfreeze()


def test_a_worker_freezes_what_it_loaded(config):
    gc.unfreeze()
    config["post_worker_init"](worker=None)
    assert gc.get_freeze_count() > 1000


def test_it_freezes_again_once_after_the_first_requests(config):
    gc.unfreeze()
    for _ in range(config["FREEZE_AFTER_REQUESTS"] - 1):
        config["post_request"](None, None, {}, None)
    assert gc.get_freeze_count() == 0
    config["post_request"](None, None, {}, None)
    frozen = gc.get_freeze_count()
    assert frozen > 1000
    gc.unfreeze()
    for _ in range(10):
        config["post_request"](None, None, {}, None)
    assert gc.get_freeze_count() == 0  # once only
