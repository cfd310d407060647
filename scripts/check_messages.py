"""Check a gettext catalogue: every message translated, none fuzzy, and the committed .mo compiled from this .po.

    .venv/bin/python scripts/check_messages.py locale/ru/LC_MESSAGES/django.po

Needs GNU gettext's msgfmt (Debian: apt-get install gettext), the same tool `make messages` compiles with.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main():
    source = Path(sys.argv[1])
    compiled = source.with_suffix(".mo")
    if not shutil.which("msgfmt"):
        sys.exit("msgfmt is needed: apt-get install gettext")
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "django.mo"
        result = subprocess.run(
            ["msgfmt", "--check", "--statistics", f"--output-file={fresh}", str(source)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            sys.exit(f"{source} does not compile:\n{result.stderr}")
        statistics = result.stderr.strip().splitlines()[-1]
        problems = []
        if re.search(r"\d+ (fuzzy|untranslated)", statistics):
            problems.append(f"{source}: {statistics}")
        if not compiled.exists() or compiled.read_bytes() != fresh.read_bytes():
            problems.append(f"{compiled} is not compiled from {source}: run make messages")
    if problems:
        sys.exit("\n".join(problems))
    print(f"{source}: {statistics}; {compiled} is up to date.")


if __name__ == "__main__":
    main()
