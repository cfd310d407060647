"""Profile one page of the portal with pyinstrument: where does a request's time go?

Runs the full middleware stack in-process with production settings against the
benchmark database (prepare it with scripts/bench.py first) and prints
pyinstrument's call tree for N requests.

    .venv/bin/python scripts/profile_page.py /lectures/training-data/ [--signed-in] [--requests 500]
"""

import argparse
import os
import sys

from portal_env import ROOT, make_sessions, production_environ, require_local


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--signed-in", action="store_true")
    parser.add_argument("--toggle", action="store_true", help="POST watched=true|false to PATH instead")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--all", action="store_true", help="show every frame, the framework's too")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    options = parser.parse_args()
    require_local(options.database_url, "--database-url")

    # The per-learner limit on watched changes would stop a toggle profile after 60 requests.
    environ = production_environ(
        options.database_url, redis_url=options.redis_url, DJANGO_WATCHED_CHANGES_PER_MINUTE="1000000"
    )
    session = make_sessions(environ, ["seed-0000000@learners.invalid"])[0] if options.signed_in else None
    os.environ.update(environ)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1")
    if session:
        client.cookies["sessionid"] = session

    def hit(n):
        if options.toggle:
            value = "true" if n % 2 == 0 else "false"
            # Form-encoded, as htmx sends it (the test client would send multipart).
            response = client.post(
                options.path,
                f"watched={value}",
                content_type="application/x-www-form-urlencoded",
                HTTP_HX_REQUEST="true",
            )
        else:
            response = client.get(options.path)
        if response.status_code not in (200, 303):
            sys.exit(f"{options.path} answered {response.status_code}")

    for n in range(20):  # warm caches and connections
        hit(n)
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for n in range(options.requests):
        hit(n)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=options.all))


if __name__ == "__main__":
    main()
