from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.utils.functional import SimpleLazyObject

from .backends import authenticating_session


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, letting the session hand over the user it was loaded with (accounts/sessions.py)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))


def get_user(request):
    if not hasattr(request, "_cached_user"):
        token = authenticating_session.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            authenticating_session.reset(token)
    return request._cached_user
