import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete
from django.dispatch import receiver


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def forget_watched_changes(sender, instance, **kwargs):
    """A deleted learner leaves no count in the cache (the watched toggle's, this minute's and the last)."""
    minute = int(time.time() // 60)
    cache.delete_many([f"watched-changes:{instance.pk}:{minute}", f"watched-changes:{instance.pk}:{minute - 1}"])
