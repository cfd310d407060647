from django.contrib import admin
from django.urls import include, path

from . import views

# admin.site is portal.admin.AdminSite (see portal.apps.PortalAdminConfig): allauth's sign-in, and a second factor.

# A database that gave up answers 503 with the site's error page, not a bare 500.
handler500 = views.server_error

urlpatterns = [
    path("", include("progress.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]
