from functools import wraps

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AdminSite(admin.AdminSite):
    """The admin behind allauth's sign-in, and behind a second factor when ADMIN_REQUIRES_MFA says so."""

    site_header = _("ML System Design portal")
    site_title = _("Portal admin")
    index_title = _("Course and learners")
    # The list of every model beside each page leaves lecture lists and forms too little room; the index has it.
    enable_nav_sidebar = False

    def login(self, request, extra_context=None):
        # Staff sign in through allauth's login, with its rate limits, not the admin's own form.
        return secure_admin_login(super().login)(request, extra_context)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def second_factor_first(request, *args, **kwargs):
            user = request.user
            if settings.ADMIN_REQUIRES_MFA and user.is_active and user.is_staff and not is_mfa_enabled(user):
                # Sent to set one up, with the way back, rather than shown an error.
                messages.warning(
                    request,
                    gettext(
                        "The admin needs a second factor. Set up an authenticator app or a passkey, "
                        "then open the admin again."
                    ),
                )
                return redirect("mfa_index")
            return guarded(request, *args, **kwargs)

        return second_factor_first
