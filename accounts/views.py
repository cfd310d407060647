from allauth.account.decorators import reauthentication_required
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import trigger_client_event

from portal.http import HttpResponseSeeOther, safe_next

from .data import delete_account, export_chunks, what_goes
from .middleware import set_language_cookie
from .models import User
from .throttles import exports_refused

THEME_COOKIE = "theme"

# What the portal stores about a learner is personal: never kept by a shared or browser cache.
private_no_store = cache_control(private=True, no_store=True)


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


@require_safe
@login_required
@private_no_store
def data(request):
    """What the portal stores about the learner: download it all, or delete the account."""
    return render(request, "accounts/data.html", {"what_goes": what_goes(request.user)})


@require_safe
@login_required
@private_no_store
def export(request):
    if refused := exports_refused(request):
        return refused
    response = StreamingHttpResponse(export_chunks(request.user), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
@private_no_store
@reauthentication_required
def delete(request):
    """Delete the account after the learner signs in again and confirms; GET shows what goes."""
    if request.method == "GET":
        return render(request, "accounts/delete.html", {"what_goes": what_goes(request.user)})
    if request.POST.get("confirm") != "delete":
        return HttpResponseBadRequest(_("Tick the box to confirm the deletion."), content_type="text/plain")
    delete_account(user=request.user)
    logout(request)
    messages.success(request, _("Your account and everything stored with it are deleted."))
    return HttpResponseSeeOther(reverse("progress:home"))


@require_POST
@login_required
def end_session(request, pk):
    """Sign out one of the learner's other browsers."""
    session = get_object_or_404(UserSession, pk=pk, user=request.user)
    if session.session_key == request.session.session_key:
        return HttpResponseBadRequest(_("Use Sign out to end this session."), content_type="text/plain")
    session.end()
    messages.success(request, _("That session is signed out."))
    return HttpResponseSeeOther(reverse("usersessions_list"))
