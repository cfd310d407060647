import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

from portal.settings import STORAGES as PRODUCTION_STORAGES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Static files as production serves them: collected, hashed and compressed."""
    with override_settings(
        STORAGES=PRODUCTION_STORAGES
        | {"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}},
        STATIC_ROOT=tmp_path_factory.mktemp("static"),
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command("collectstatic", "--no-input", verbosity=0)
        yield


def test_static_files_are_hashed_compressed_and_cached_for_a_year(collected, course):
    url = static("css/portal.css")
    assert re.fullmatch(r"/static/css/portal\.[0-9a-f]{12}\.css", url)
    response = Client().get(url, HTTP_ACCEPT_ENCODING="br, gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert max_age >= 365 * 24 * 60 * 60
    assert "immutable" in response["Cache-Control"]


def test_pages_link_the_hashed_files(collected, course):
    html = Client().get("/").content.decode()
    for name in ["css/portal", "js/portal", "django_htmx/htmx-2.min", "favicon"]:
        assert re.search(rf'"/static/{name}\.[0-9a-f]{{12}}\.(css|js|svg)"', html), name
