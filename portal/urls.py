from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("lectures.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

admin.site.site_header = "ML System Design portal"
admin.site.site_title = "Portal admin"
admin.site.index_title = "Course and learners"
