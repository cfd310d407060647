import time

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

# The session's own note of when its row in the session list was last freshened.
SEEN_SESSION_KEY = "accounts.seen_at"
# "Last seen" is kept to within this many seconds: one write per session every
# few minutes, not one on every request.
SEEN_EVERY = 300


def last_seen(get_response):
    """Keep each signed-in session's address, browser and last-seen time in the learner's session list."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or not user.is_authenticated or session is None or not session.session_key:
            return response
        now = int(time.time())
        if now - session.get(SEEN_SESSION_KEY, 0) < SEEN_EVERY:
            return response
        try:
            address = get_adapter().get_client_ip(request)
        except PermissionDenied:  # no usable client address: keep the one from sign-in
            return response
        session[SEEN_SESSION_KEY] = now
        UserSession.objects.filter(session_key=session.session_key, user=user).update(
            last_seen_at=timezone.now(),
            ip=address,
            user_agent=request.headers.get("User-Agent", "")[: UserSession._meta.get_field("user_agent").max_length],
        )
        return response

    return middleware


def account_language(get_response):
    """The signed-in person's chosen language wins over the browser's; the cookie keeps it after sign-out.

    Django's LocaleMiddleware has already picked the cookie's language, else the
    browser's, else Russian. Pages differ by language, so they vary on both.
    """

    def middleware(request):
        chosen = request.user.language if request.user.is_authenticated else ""
        if chosen and chosen != request.LANGUAGE_CODE:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = get_response(request)
        if chosen and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen:
            set_language_cookie(response, chosen)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return middleware


def set_language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
