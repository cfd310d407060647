from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.throttles import forget

# Every per-minute count of a learner's changes that progress keeps in the cache.
CHANGE_COUNTS = ["watched-changes", "reading-changes", "note-changes", "plan-changes"]


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def forget_the_learners_counts(sender, instance, **kwargs):
    """A deleted learner, however deleted, leaves no count of their changes or downloads in the cache."""
    for name in CHANGE_COUNTS:
        forget(name, user=instance, seconds=60)
    # Downloads of the learner's data, progress and full exports alike, counted per hour.
    forget("exports", user=instance, seconds=3600)
    # allauth's sign-in counts run out on their own within minutes; those kept per address
    # belong to whoever deletes the account, not to it, so they stay.
