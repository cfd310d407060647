from playwright.sync_api import expect

from lectures.models import Lecture

from .conftest import sign_in


def test_the_admin_works_under_the_strict_csp(site, context, page, console_errors):
    from ..conftest import make_user

    sign_in(context, site, make_user("browser-staff@example.org", is_staff=True, is_superuser=True))
    lecture = Lecture.objects.get(slug="failure-diagnosis")
    for path in ["/admin/", "/admin/lectures/lecture/", f"/admin/lectures/lecture/{lecture.pk}/change/"]:
        page.goto(site + path)
        expect(page.locator("#content")).to_be_visible()
    # The inline formset's "Add another" link is built by the admin's JavaScript.
    expect(page.get_by_text("Add another Reading item")).to_be_visible()
    assert console_errors == []
