"""Files to download (a learner's own data, the staff's figures), streamed as they are read."""

import csv

from django.http import StreamingHttpResponse

# Rows read from the database at a time while a download streams.
CHUNK = 2000


def download(chunks, *, content_type, filename):
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(rows, filename):
    """A CSV of the rows (lists of values), written as it streams."""
    writer = csv.writer(_Echo())
    lines = (writer.writerow([_cell(value) for value in row]) for row in rows)
    return download(lines, content_type="text/csv; charset=utf-8", filename=filename)


def _cell(value):
    """Keep a spreadsheet from reading a text cell as a formula."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    """A file that hands back what is written to it, so csv.writer can feed a stream."""

    def write(self, value):
        return value
