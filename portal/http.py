from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


class HttpResponseSeeOther(HttpResponseRedirect):
    """POST, then redirect, then GET: 303 tells the browser to fetch the target with GET."""

    status_code = 303


def safe_next(request, fallback):
    """The form's `next` when it points into this site, otherwise the fallback."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback
