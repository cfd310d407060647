from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import reverse


@cache
def _site_links():
    return {
        "home": reverse("lectures:home"),
        "progress": reverse("progress:index"),
        "account": reverse("account_email"),
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "logout": reverse("account_logout"),
        "theme": reverse("accounts:theme"),
        "admin": reverse("admin:index"),
        "css": static("css/portal.css"),
        "js": static("js/portal.js"),
        "htmx": static("django_htmx/htmx-2.min.js"),
        # django-htmx's helper that shows server errors of htmx requests, in development only.
        "htmx_debug": static("django_htmx/django-htmx.js") if settings.DEBUG else "",
        "favicon": static("favicon.svg"),
    }


def links(request):
    """The layout's links, worked out once per process (reversing them on every page was a tenth of its
    time), and the page's own path for the forms that come back to it."""
    return {"links": _site_links(), "page_path": request.get_full_path()}


@receiver(setting_changed)
def _forget_links(setting, **kwargs):
    # Only tests change these at run time (static files storage, URLconf).
    if setting in {"STORAGES", "STATIC_URL", "ROOT_URLCONF", "DEBUG"}:
        _site_links.cache_clear()
