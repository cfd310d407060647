"""Security headers on every response: every URL name, pages and fragments, errors, production settings."""

import re
import runpy
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import ENGLISH, HTMX, tags

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
CSP_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "frame-src https://www.youtube-nocookie.com",
]
# Sample values for the parameters of URL patterns.
SAMPLES = {
    "slug": "training-data",
    "object_id": "1",
    "id": "1",
    "app_label": "lectures",
    "content_type_id": "1",
    "key": "not-a-real-key",
    "uidb36": "1",
    "token": "not-a-real-token",
    "url": "lectures/lecture/",
    "pk": "1",
    "user_id": "1",
}


def assert_secure_headers(response):
    csp = response["Content-Security-Policy"]
    for directive in CSP_DIRECTIVES:
        assert directive in csp, directive
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def url_names():
    """Every named URL of the site, with the namespaces it is reversed by."""
    names = []

    def walk(patterns, namespace, outer_params):
        for pattern in patterns:
            params = outer_params + list(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(
                    pattern.url_patterns, f"{namespace}:{inner}" if namespace and inner else inner or namespace, params
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append((f"{namespace}:{pattern.name}" if namespace else pattern.name, params))

    walk(get_resolver().url_patterns, None, [])
    return sorted({(name, tuple(params)) for name, params in names})


URL_NAMES = url_names()


def test_the_matrix_covers_the_whole_site():
    names = {name for name, _ in URL_NAMES}
    for name in ["progress:home", "progress:lecture", "progress:watched", "progress:index", "healthz"]:
        assert name in names
    assert "account_login" in names
    assert "admin:index" in names
    assert len(names) > 60


@pytest.mark.parametrize(("name", "params"), URL_NAMES, ids=[name for name, _ in URL_NAMES])
def test_every_url_sends_the_security_headers(name, params, course, learner_client, staff_client, client):
    url = reverse(name, kwargs={param: SAMPLES[param] for param in params})
    for browser in (client, learner_client, staff_client):
        assert_secure_headers(browser.get(url))
        assert_secure_headers(browser.get(url, **HTMX))


def test_htmx_fragments_send_the_security_headers(learner_client, course):
    response = learner_client.post("/lectures/training-data/watched/", {"watched": "true"}, **HTMX)
    assert response.status_code == 200
    assert_secure_headers(response)


def test_scripts_carry_the_nonce_of_their_response(client, course):
    response = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    assert tags(html, "script", src="/static/django_htmx/htmx-2.min.js", nonce=nonce)
    # No script in the page runs inline: each one has a src.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert "hx-on" not in html
    # Two responses never share a nonce.
    assert nonce not in client.get("/")["Content-Security-Policy"]


def test_404_uses_the_site_layout(client, course):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_secure_headers(response)
    assert "This page is not here" in response.content.decode()
    assert tags(response.content, "header", **{"class": "site-header"})


def test_403_csrf_uses_the_site_layout(learner, course):
    browser = Client(enforce_csrf_checks=True, **ENGLISH)
    browser.force_login(learner)
    response = browser.post("/lectures/training-data/watched/", {"watched": "true"})
    assert response.status_code == 403
    assert_secure_headers(response)
    assert "That form could not be checked" in response.content.decode()


def test_403_uses_the_site_layout(learner_client, course):
    response = learner_client.get("/admin/login/")
    assert response.status_code == 403
    assert_secure_headers(response)
    assert "You cannot open this page" in response.content.decode()


def test_400_uses_the_site_layout(client, course):
    response = client.get("/", HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert_secure_headers(response)
    assert "The request was not understood" in response.content.decode()


def test_405_sends_the_security_headers(client, course):
    response = client.get("/lectures/training-data/watched/")
    assert response.status_code == 405
    assert_secure_headers(response)


@override_settings(ROOT_URLCONF="tests.urls_failing")
def test_500_uses_the_site_layout(course):
    response = Client(raise_request_exception=False, **ENGLISH).get("/fail/")
    assert response.status_code == 500
    assert_secure_headers(response)
    assert "Something went wrong on our side" in response.content.decode()


def test_static_files_send_the_security_headers(client):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def production_settings(**extra):
    environ = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    } | extra
    import os

    saved = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)
    try:
        values = runpy.run_path(str(ROOT / "portal" / "settings.py"))
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
    ]
    return {name: values[name] for name in names} | {"SECURE_PROXY_SSL_HEADER": values.get("SECURE_PROXY_SSL_HEADER")}


def test_production_redirects_to_https_and_sends_hsts(course):
    with override_settings(**production_settings()):
        browser = Client()
        response = browser.get("/")
        assert response.status_code == 301
        assert response["Location"] == "https://testserver/"
        response = browser.get("/", secure=True)
        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert_secure_headers(response)


def test_production_cookies_are_secure_httponly_and_lax(learner, course):
    from .conftest import PASSWORD

    with override_settings(**production_settings()):
        browser = Client()
        browser.post("/accounts/login/", {"login": learner.email, "password": PASSWORD}, secure=True)
        session = browser.cookies["sessionid"]
        assert session["secure"] is True
        assert session["httponly"] is True
        assert session["samesite"] == "Lax"
        assert browser.cookies["csrftoken"]["secure"] is True


def test_behind_a_tls_proxy_the_forwarded_header_is_trusted_only_when_configured(course):
    with override_settings(**production_settings(DJANGO_SECURE_SSL_REDIRECT="false")):
        # Not configured: a client cannot claim HTTPS by sending the header.
        response = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == 200
        assert "Strict-Transport-Security" not in response
    trusted = production_settings(DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_TRUST_X_FORWARDED_PROTO="true")
    with override_settings(**trusted):
        response = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
