"""Everything stored about a learner: read out as one JSON file, or deleted with the account."""

import json
import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation

from .models import User

logger = logging.getLogger(__name__)

# Rows read from the database at a time while the export streams.
CHUNK = 2000
# Values that stay out of the export: they would let whoever holds the file
# into the account (a password hash, a second factor's secret, a session key).
# Social sign-in tokens point at the social account, not at the user, so the
# export never reads them.
SECRET_FIELDS = {
    "accounts.user": {"password"},
    "mfa.authenticator": {"data"},
    "usersessions.usersession": {"session_key"},
    # Whoever holds the calendar link's token reads the learner's plan; the page shows it to its owner.
    "progress.paceplan": {"feed_token"},
}


def related_models():
    """Every model with rows that belong to one user: (model, the name of its field that points at the user)."""
    return [
        (relation.related_model, relation.field.name)
        for relation in User._meta.related_objects
        if relation.one_to_many or relation.one_to_one
    ]


def _row(instance):
    hidden = SECRET_FIELDS.get(instance._meta.label_lower, set())
    row = {}
    for field in instance._meta.concrete_fields:
        if field.name in hidden or (field.is_relation and field.related_model is User):
            continue
        if field.is_relation:
            related = getattr(instance, field.name)
            row[field.name] = None if related is None else {"id": related.pk, "name": str(related)}
        else:
            row[field.name] = field.value_from_object(instance)
    return row


def _dump(value):
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def export_chunks(user):
    """The learner's data as JSON, a piece at a time: the account, then each kind of row that belongs to it."""
    yield "{\n"
    yield f'  "exported_at": {_dump(timezone.now())},\n'
    yield f'  "account": {_dump(_row(user))}'
    for model, user_field in related_models():
        related = [
            field.name for field in model._meta.concrete_fields if field.is_relation and field.name != user_field
        ]
        rows = model._default_manager.filter(**{user_field: user}).order_by("pk")
        if related:
            rows = rows.select_related(*related)
        yield f",\n  {_dump(_key(model))}: ["
        for index, instance in enumerate(rows.iterator(chunk_size=CHUNK)):
            yield ("," if index else "") + "\n    " + _dump(_row(instance))
        yield "\n  ]"
    yield "\n}\n"


def _key(model):
    # The file's keys read the same in any language the learner downloads it in.
    with translation.override("en"):
        return str(model._meta.verbose_name_plural)


def what_goes(user):
    """Each kind of row a deletion removes, with how many, for the confirmation page."""
    counts = []
    for model, user_field in related_models():
        count = model._default_manager.filter(**{user_field: user}).count()
        if count:
            counts.append((model._meta.verbose_name_plural, count))
    return counts


def delete_account(*, user, by_staff=False) -> None:
    """Delete the account and everything of it, in one transaction, and end its sessions."""
    from allauth.usersessions.models import UserSession

    with transaction.atomic():
        sessions = list(UserSession.objects.filter(user=user))
        for session in sessions:
            session.end()
        _, deleted = user.delete()
    deleted[UserSession._meta.label] = len(sessions)
    kinds = ", ".join(f"{count} {label}" for label, count in sorted(deleted.items()) if count)
    # No address, name or id: only that an account went, who asked, and what went with it.
    logger.info("An account was deleted by %s: %s.", "staff" if by_staff else "its owner", kinds)
