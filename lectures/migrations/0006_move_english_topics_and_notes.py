"""Topics and reading notes were written in English: move them to their English fields.

The last import's record (`imported`) moves the same way, so the next import of
a course file with texts in both languages reads the Russian ones as the file's
change, not as a conflict with the admin.
"""

from django.db import migrations


def move_to_english(apps, schema_editor):
    Lecture = apps.get_model("lectures", "Lecture")
    ReadingItem = apps.get_model("lectures", "ReadingItem")
    for lecture in Lecture.objects.all():
        lecture.topics_en, lecture.topics = lecture.topics, ""
        base = lecture.imported
        if "topics" in base:
            base["topics_en"], base["topics"] = base["topics"], []
        for item in base.get("reading") or []:
            item["note_en"], item["note"] = item.get("note", ""), ""
        lecture.save(update_fields=["topics", "topics_en", "imported"])
    for item in ReadingItem.objects.all():
        item.note_en, item.note = item.note, ""
        item.save(update_fields=["note", "note_en"])


def move_back(apps, schema_editor):
    Lecture = apps.get_model("lectures", "Lecture")
    ReadingItem = apps.get_model("lectures", "ReadingItem")
    for lecture in Lecture.objects.all():
        lecture.topics = lecture.topics_en
        base = lecture.imported
        if "topics_en" in base:
            base["topics"] = base.pop("topics_en")
        for item in base.get("reading") or []:
            item["note"] = item.pop("note_en", "")
        lecture.save(update_fields=["topics", "imported"])
    for item in ReadingItem.objects.all():
        item.note = item.note_en
        item.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("lectures", "0005_english_topics_and_notes")]

    operations = [migrations.RunPython(move_to_english, move_back)]
