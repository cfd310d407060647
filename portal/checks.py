from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import connections

# Connections kept free for migrations, a shell and monitoring.
HEADROOM = 5


@register(Tags.database)
def connection_budget(app_configs, databases=None, **kwargs):
    """Warn when every app server's pools, full, would not fit in PostgreSQL's max_connections."""
    warnings = []
    for alias in databases or []:
        connection = connections[alias]
        pool = connection.settings_dict["OPTIONS"].get("pool")
        if connection.vendor != "postgresql" or not pool:
            continue
        needed = settings.APP_SERVERS * settings.WEB_CONCURRENCY * pool["max_size"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('max_connections')::int"
                " - current_setting('superuser_reserved_connections')::int"
                " - coalesce(current_setting('reserved_connections', true)::int, 0)"
            )
            available = cursor.fetchone()[0] - HEADROOM
        if needed > available:
            warnings.append(
                Warning(
                    f"{settings.APP_SERVERS} app servers x {settings.WEB_CONCURRENCY} workers x "
                    f"{pool['max_size']} connections need {needed} connections, and the database "
                    f"{alias!r} allows {available} (max_connections, less reserved ones and {HEADROOM} spare).",
                    hint="Raise max_connections, or lower DJANGO_APP_SERVERS, WEB_CONCURRENCY or GUNICORN_THREADS, "
                    "or put PgBouncer in front (README: Connections).",
                    id="portal.W001",
                )
            )
    return warnings
