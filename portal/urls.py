from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

# Staff sign in through allauth's login, with its rate limits, not the admin's own form.
# Set before admin.site.urls is read below, which binds the view.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("ML System Design portal")
admin.site.site_title = _("Portal admin")
admin.site.index_title = _("Course and learners")
# The list of every model beside each page leaves lecture lists and forms too little room; the index has it.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", include("progress.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]
