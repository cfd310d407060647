from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.throttles import forget

# Every per-minute count of a learner's changes that progress keeps in the cache.
CHANGE_COUNTS = ["watched-changes", "reading-changes", "note-changes", "plan-changes"]


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def forget_watched_changes(sender, instance, **kwargs):
    """A deleted learner leaves no count of their changes in the cache."""
    for name in CHANGE_COUNTS:
        forget(name, user=instance, seconds=60)
