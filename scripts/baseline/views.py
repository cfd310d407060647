from django.shortcuts import render

from .models import Row


def rows(request):
    return render(request, "baseline/rows.html", {"rows": Row.objects.all()})


def healthz(request):
    return render(request, "baseline/rows.html", {"rows": []})
