"""Screenshots of the portal's pages as people see them: Russian and English, phone and desktop, light and dark.

Serves the portal (development settings, a throwaway SQLite database with the
bundled course and one learner who has watched two lectures, taken notes on one,
read an item of its reading list and made a pace plan) on 127.0.0.1 and takes
full-page screenshots in Debian's Chromium with Playwright.

    .venv/bin/python scripts/screenshots.py [--out artifacts/screenshots] [--page home ...] [--port N]
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from itertools import product
from pathlib import Path

from portal_env import PYTHON, ROOT, make_sessions, manage, run_django, stop, wait_until_up

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 780}}
# The browser's language: the page follows it, as for a visitor who never chose.
LANGUAGES = ["ru-RU", "en-GB"]
# (who, path): the anonymous visitor or the learner.
PAGES = {
    "home": ("visitor", "/"),
    "home-signed-in": ("learner", "/"),
    "lecture": ("learner", "/lectures/design-doc/"),
    "lecture-unknown-facts": ("learner", "/lectures/ml-in-practice/"),
    "progress": ("learner", "/progress/"),
    "plan": ("learner", "/progress/plan/"),
    "sign-in": ("visitor", "/accounts/login/"),
}
LEARNER = "learner@example.org"
PROGRESS_SCRIPT = """
from accounts.models import User
from lectures.models import Lecture
from progress.models import set_watched
learner = User.objects.get(email="learner@example.org")
for slug in ["ml-in-practice", "design-foundations"]:
    set_watched(user=learner, lecture=Lecture.objects.get(slug=slug), watched=True)

from datetime import time
from progress.models import PlanChoice, add_note, lay_out_plan, set_feed, set_read
design_doc = Lecture.objects.get(slug="design-doc")
add_note(user=learner, lecture=design_doc, body="**Шаблон** дизайн-дока — [на GitHub](https://github.com/)",
         seconds=125)
add_note(user=learner, lecture=design_doc, body="Вопросы к разделу о метриках:\\n\\n- офлайн\\n- онлайн", seconds=3750)
set_read(user=learner, item=design_doc.reading_items.first(), read=True)
choice = PlanChoice(mode="weekly", weekdays=frozenset({1, 3}), study_time=time(19), per_week=2)
watched = set(learner.lecture_progress.values_list("lecture_id", flat=True))
lay_out_plan(user=learner, lectures=list(Lecture.objects.published().in_course_order()), watched=watched,
             zone_name="Europe/Moscow", choice=choice)
set_feed(user=learner, feed="on")
"""
CHROMIUM_ARGS = "--no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
CHROMIUM_ARGS += "--disable-sync --no-first-run --disable-quic"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "screenshots")
    parser.add_argument("--page", action="append", choices=PAGES, help="only these pages (all by default)")
    parser.add_argument("--port", type=int, help="serve on this port (a free one by default)")
    options = parser.parse_args()
    chromium = shutil.which("chromium") or sys.exit("Chromium is needed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        environ = os.environ | {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{folder}/screenshots.sqlite3",
            "REDIS_URL": "",
        }
        manage(environ, "migrate", "--no-input")
        manage(environ, "import_course", "lectures/data/ml-system-design-2022.yaml")
        session = make_sessions(environ, [LEARNER])[0]
        run_django(environ, PROGRESS_SCRIPT)
        port = options.port or free_port()
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port, server)
            site = f"http://127.0.0.1:{port}"
            options.out.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS.split())
                for name in options.page or PAGES:
                    who, path = PAGES[name]
                    for language, size, scheme in product(LANGUAGES, SIZES, ("light", "dark")):
                        context = browser.new_context(viewport=SIZES[size], color_scheme=scheme, locale=language)
                        if who == "learner":
                            context.add_cookies([{"name": "sessionid", "value": session, "url": site}])
                        page = context.new_page()
                        page.goto(site + path)
                        target = options.out / f"{name}-{language[:2]}-{size}-{scheme}.png"
                        page.screenshot(path=target, full_page=True)
                        context.close()
                        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                browser.close()
        finally:
            stop(server)


if __name__ == "__main__":
    main()
