from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from portal.http import HttpResponseSeeOther, safe_next

from .middleware import set_language_cookie
from .models import User

THEME_COOKIE = "theme"


@require_POST
def set_theme(request):
    """Remember the colour theme: on the account when signed in, in a cookie always."""
    theme = request.POST.get("theme")
    if theme not in User.Theme.values:
        return HttpResponseBadRequest("The field theme must be system, light or dark.", content_type="text/plain")
    if request.user.is_authenticated:
        request.user.theme = theme
        request.user.save(update_fields=["theme"])
    if request.htmx:
        response = HttpResponse(status=204)
        trigger_client_event(response, "themeChanged", {"theme": theme})
    else:
        response = HttpResponseSeeOther(safe_next(request, "/"))
    response.set_cookie(
        THEME_COOKIE,
        theme,
        max_age=60 * 60 * 24 * 365,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_POST
def set_language(request):
    """Switch the site's language and stay on the page: kept on the account when signed in, in a cookie always."""
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("The field language must be ru or en.", content_type="text/plain")
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response = HttpResponseSeeOther(safe_next(request, "/"))
    set_language_cookie(response, language)
    return response
