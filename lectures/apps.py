from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class LecturesConfig(AppConfig):
    name = "lectures"
    verbose_name = "Course content"

    def ready(self):
        from .models import Course, Lecture, Part, ReadingItem
        from .syllabus import content_changed

        # Any saved or deleted course content makes every app server rebuild its syllabus.
        for model in (Course, Part, Lecture, ReadingItem):
            post_save.connect(content_changed, sender=model, dispatch_uid=f"syllabus-{model.__name__}-save")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"syllabus-{model.__name__}-delete")
