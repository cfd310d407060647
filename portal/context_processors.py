from functools import cache

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
        "favicon": static("favicon.svg"),
    }


def links(request):
    """Give the layout its links, worked out once per process, and the page's own path."""
    return {"links": _site_links(), "page_path": request.get_full_path()}


@receiver(setting_changed)
def _forget_links(setting, **kwargs):
    # Only tests change these at run time (static files storage, URLconf).
    if setting in {"STORAGES", "STATIC_URL", "ROOT_URLCONF"}:
        _site_links.cache_clear()
