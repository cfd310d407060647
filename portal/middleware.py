from django.conf import settings
from django.shortcuts import render


def security_headers(get_response):
    """Headers Django does not send itself, on every response, static files included."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def method_not_allowed_page(get_response):
    """Django answers a method a view does not take with an empty 405: give it the site's error page."""

    def middleware(request):
        response = get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response

    return middleware
