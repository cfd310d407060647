from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.throttles import forget


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def forget_watched_changes(sender, instance, **kwargs):
    """A deleted learner leaves no count of the watched toggle in the cache."""
    forget("watched-changes", user=instance, seconds=60)
