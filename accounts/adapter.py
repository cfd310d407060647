from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext as _

# The session of a browser that has shown it knows an account's password while
# the account waited for its address to be confirmed: at sign-up, or at a
# password sign-in that stopped to ask for the confirmation.
PASSWORD_SHOWN_SESSION_KEY = "accounts.password_shown_for"  # noqa: S105 - a session key, not a secret


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        # Whoever signed up has not yet shown that the address is theirs.
        user.password_unproven = user.has_usable_password()
        if commit:
            user.save()
        return user

    def respond_email_verification_sent(self, request, user):
        if user is not None:
            request.session[PASSWORD_SHOWN_SESSION_KEY] = user.pk
        return super().respond_email_verification_sent(request, user)

    def set_password(self, user, password):
        # Set by a signed-in owner or through a reset link sent to the address: the owner's own.
        user.password_unproven = False
        super().set_password(user, password)

    def get_login_redirect_url(self, request):
        if not request.user.has_usable_password() and not has_passkey(request.user):
            messages.info(request, _("Choose a password, so that you can sign in without waiting for a code."))
            return reverse("account_set_password")
        return super().get_login_redirect_url(request)

    def get_client_ip(self, request):
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            # Fewer addresses in X-Forwarded-For than DJANGO_TRUSTED_PROXIES says: the request
            # did not come through every proxy, so the nearest hop is the one that cannot lie.
            return request.META["REMOTE_ADDR"]


def has_passkey(user):
    return user.authenticator_set.filter(type="webauthn").exists()


def revoke_unproven_password(*, request, user):
    """Confirming an address settles whose password the account has: kept only if shown in this browser."""
    if not user.password_unproven:
        return
    user.password_unproven = False
    shown_here = request is not None and request.session.get(PASSWORD_SHOWN_SESSION_KEY) == user.pk
    if not shown_here:
        user.set_unusable_password()
        if request is not None:
            messages.warning(
                request,
                _(
                    "For your safety, the password chosen when this account was created no longer works: "
                    "it was not chosen in this browser. Sign in with a code sent to your address, "
                    "then choose your own password."
                ),
            )
    user.save(update_fields=["password", "password_unproven"])
