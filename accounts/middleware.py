from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
