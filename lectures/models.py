import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _


class OnField:
    """A constraint whose violation a form shows on one field, in words.

    The database enforces the constraint; Django's model validation checks it
    first, and reports it here as an error of `field` rather than of the form.
    """

    def __init__(self, *args, field, **kwargs):
        super().__init__(*args, **kwargs)
        self.field = field

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            raise ValidationError({self.field: error}) from None

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return path, args, kwargs | {"field": self.field}

    def __eq__(self, other):
        equal = super().__eq__(other)
        if equal is NotImplemented:
            return equal
        return equal and self.field == getattr(other, "field", None)


class FieldCheckConstraint(OnField, models.CheckConstraint):
    non_db_attrs = (*models.CheckConstraint.non_db_attrs, "field")


class FieldUniqueConstraint(OnField, models.UniqueConstraint):
    non_db_attrs = (*models.UniqueConstraint.non_db_attrs, "field")


class TextLinesField(models.TextField):
    """Text whose lines end in LF alone, however the value came in.

    Browsers send a text area's lines ended with CR LF: stored as sent, a lecture
    saved unchanged in the admin would differ from the course file on the next import.
    Forms and full_clean() clean the value with to_python(), and TextField passes
    every value written to the database through it too.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_PLAYLIST_ID = re.compile(r"[A-Za-z0-9_-]{10,64}")
YOUTUBE_HOSTS = {"youtube.com", "youtube-nocookie.com"}


def youtube_id(url):
    """The video id of a YouTube video link (watch?v=, youtu.be/, embed/, shorts/), or "" for anything else."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    path = parts.path.rstrip("/").split("/")[1:]
    if host == "youtu.be" and len(path) == 1:
        candidate = path[0]
    elif host in YOUTUBE_HOSTS and path == ["watch"]:
        candidate = parse_qs(parts.query).get("v", [""])[0]
    elif host in YOUTUBE_HOSTS and len(path) == 2 and path[0] in {"embed", "shorts"}:
        candidate = path[1]
    else:
        return ""
    # "videoseries" has the length of an id, but embeds a playlist.
    return candidate if YOUTUBE_ID.fullmatch(candidate) and candidate != "videoseries" else ""


def youtube_playlist_id(url):
    """The list id of a YouTube playlist link (playlist?list=), or "" for anything else."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    if host not in YOUTUBE_HOSTS or parts.path.rstrip("/") != "/playlist":
        return ""
    candidate = parse_qs(parts.query).get("list", [""])[0]
    return candidate if YOUTUBE_PLAYLIST_ID.fullmatch(candidate) else ""


def validate_youtube_video(url):
    if not youtube_id(url):
        raise ValidationError(
            _(
                "Give a link to one YouTube video, such as https://www.youtube.com/watch?v=PW9TGNr1Vqk or "
                "https://youtu.be/PW9TGNr1Vqk: the player shows YouTube videos only."
            ),
            code="not_youtube_video",
        )


class Localized(str):
    """A text as the site shows it, with the language it is in (for the `lang` attribute)."""

    def __new__(cls, text, lang):
        localized = super().__new__(cls, text)
        localized.lang = lang
        return localized


class Bilingual:
    """Content written in the course's language, with an English version of each text in `<name>_en`."""

    def localized(self, name):
        """The text in the visitor's language, or in the other one when it has no version in theirs."""
        original, english = getattr(self, name), getattr(self, f"{name}_en")
        if (get_language() == "en" and english) or not original:
            return Localized(english, "en")
        return Localized(original, self.language)


class Course(Bilingual, models.Model):
    slug = models.SlugField(_("slug"), unique=True, help_text=_("Stable key of the course in the course file."))
    title = models.CharField(_("title"), max_length=200, help_text=_("Title in the course's own language."))
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary = TextLinesField(_("summary"), blank=True, help_text=_("What the course is about, in its own language."))
    summary_en = TextLinesField(_("summary (English)"), blank=True)
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=16, default="ru", help_text=_("Language code of the lectures, such as ru or en.")
    )
    course_url = models.URLField(
        _("course page"), max_length=500, blank=True, help_text=_("The organiser's page for the course.")
    )
    playlist_url = models.URLField(_("video playlist"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("The site shows the course with the lowest position.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    imported = models.JSONField(
        _("imported"),
        default=dict,
        editable=False,
        help_text=_(
            "The course file's values as the last import wrote them (empty until one has): the next import "
            "compares the file and the database with them to tell the file's changes from the admin's."
        ),
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["position", "pk"]
        constraints = [
            FieldCheckConstraint(
                condition=~Q(slug=""),
                name="lectures_course_slug_not_empty",
                field="slug",
                violation_error_message=_("Give the course a slug: its key in the course file."),
            ),
            FieldCheckConstraint(
                condition=~Q(title=""),
                name="lectures_course_title_not_empty",
                field="title",
                violation_error_message=_("Give the course a title."),
            ),
            FieldCheckConstraint(
                condition=~Q(summary__contains="\r") & ~Q(summary_en__contains="\r"),
                name="lectures_course_text_lines_end_in_lf",
                field="summary",
                violation_error_message=_("Lines must end with a plain line break."),
            ),
        ]

    def __str__(self):
        return self.title_en or self.title

    # get_absolute_url() comes from ABSOLUTE_URL_OVERRIDES: the course's page is the progress app's.

    @property
    def playlist_id(self):
        """The id of the course's YouTube playlist, for the privacy-enhanced player."""
        return youtube_playlist_id(self.playlist_url)


# Choices live at module level so that each model's Meta can name their values
# in check constraints; the models expose them as Part.Kind, Lecture.Status
# and ReadingItem.Kind.
class PartKind(models.TextChoices):
    MAIN = "main", _("Main course")
    BONUS = "bonus", _("Bonus")


class LectureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    PUBLISHED = "published", _("Published")


class ReadingKind(models.TextChoices):
    BOOK_CHAPTER = "book_chapter", _("Book chapter")
    ARTICLE = "article", _("Article")
    PAPER = "paper", _("Paper")
    VIDEO = "video", _("Video")
    CODE = "code", _("Code")
    SLIDES = "slides", _("Slides")


class Part(Bilingual, models.Model):
    Kind = PartKind

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="parts")
    slug = models.SlugField(_("slug"), help_text=_("Stable key of the part within its course."))
    kind = models.CharField(
        _("kind"),
        max_length=8,
        choices=PartKind,
        default=PartKind.MAIN,
        help_text=_("Main lectures count towards the course progress bar; bonus ones are counted apart."),
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Parts are listed by position."))
    imported = models.JSONField(
        _("imported"),
        default=dict,
        editable=False,
        help_text=_(
            "The course file's values as the last import wrote them (empty until one has): the next import "
            "compares the file and the database with them to tell the file's changes from the admin's."
        ),
    )

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["course", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lectures_part_slug_per_course"),
            FieldCheckConstraint(
                condition=~Q(slug=""),
                name="lectures_part_slug_not_empty",
                field="slug",
                violation_error_message=_("Give the part a slug: its key in the course file."),
            ),
            FieldCheckConstraint(
                condition=Q(kind__in=PartKind.values),
                name="lectures_part_kind_valid",
                field="kind",
                violation_error_message=_("A part is the main course or bonus."),
            ),
        ]

    def __str__(self):
        return self.title_en or self.title

    @property
    def language(self):
        return self.course.language


class LectureQuerySet(models.QuerySet):
    def published(self):
        """Lectures learners may open: published, and their publish time has come."""
        return self.filter(status=Lecture.Status.PUBLISHED).filter(
            Q(published_at__isnull=True) | Q(published_at__lte=timezone.now())
        )

    def listed(self):
        """Lectures on the learners' syllabus: published and announced ones, no drafts."""
        return self.exclude(status=Lecture.Status.DRAFT)

    def in_course_order(self):
        return self.order_by("part__position", "part_id", "number")


class Lecture(Bilingual, models.Model):
    Status = LectureStatus

    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="lectures",
        editable=False,
        help_text=_("Always the course of the lecture's part; kept here so slugs are unique per course."),
    )
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="lectures")
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("Number within the part, from 1."))
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        help_text=_("The last part of the lecture's address, as design-doc in /lectures/design-doc/."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=LectureStatus,
        default=LectureStatus.DRAFT,
        help_text=_(
            "Draft: hidden from learners. Announced: listed, without a page: coming soon when it has a date "
            "ahead, otherwise announced by the organisers and not published. Published: listed and open to everyone."
        ),
    )
    published_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        help_text=_("A published lecture stays hidden until this time. Empty: at once."),
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Title in the course's language. Required to publish.")
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary = TextLinesField(_("summary"), blank=True, help_text=_("A few sentences in the course's language."))
    summary_en = TextLinesField(_("summary (English)"), blank=True)
    topics = TextLinesField(_("topics"), blank=True, help_text=_("One topic per line, in the course's language."))
    topics_en = TextLinesField(_("topics (English)"), blank=True, help_text=_("One topic per line."))
    lecturer = models.CharField(_("lecturer"), max_length=200, blank=True, help_text=_("Empty when not known."))
    lecturer_confirmed = models.BooleanField(
        _("lecturer confirmed"),
        default=False,
        help_text=_("Ticked when a source names the lecturer: learners see only a confirmed lecturer."),
    )
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("When the lecture was given. Empty when not known.")
    )
    duration = models.DurationField(
        _("video duration"), null=True, blank=True, help_text=_("Length of the recording, such as 1:32:05.")
    )
    video_url = models.URLField(
        _("video"),
        max_length=500,
        blank=True,
        validators=[validate_youtube_video],
        help_text=_(
            "A link to the recording on YouTube: youtube.com/watch?v=…, youtu.be/…, /embed/… or /shorts/…. "
            "Empty when not known: the page then offers the course playlist."
        ),
    )
    slides_url = models.URLField(_("slides"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    imported = models.JSONField(
        _("imported"),
        default=dict,
        editable=False,
        help_text=_(
            "The course file's values as the last import wrote them (empty until one has): the next import "
            "compares the file and the database with them to tell the file's changes from the admin's."
        ),
    )

    objects = LectureQuerySet.as_manager()

    class Meta:
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        ordering = ["course", "part__position", "part_id", "number"]
        constraints = [
            FieldUniqueConstraint(
                fields=["course", "slug"],
                name="lectures_lecture_slug_per_course",
                field="slug",
                violation_error_message=_(
                    "Another lecture of this course has this slug. Choose another: the slug is the last part of "
                    "the lecture's address."
                ),
            ),
            models.UniqueConstraint(fields=["part", "number"], name="lectures_lecture_number_per_part"),
            FieldCheckConstraint(
                condition=~Q(slug=""),
                name="lectures_lecture_slug_not_empty",
                field="slug",
                violation_error_message=_("Give the lecture a slug: the last part of its address."),
            ),
            FieldCheckConstraint(
                condition=Q(number__gte=1),
                name="lectures_lecture_number_positive",
                field="number",
                violation_error_message=_("Lectures are numbered from 1."),
            ),
            FieldCheckConstraint(
                condition=Q(status__in=LectureStatus.values),
                name="lectures_lecture_status_valid",
                field="status",
                violation_error_message=_("A lecture is a draft, announced or published."),
            ),
            FieldCheckConstraint(
                condition=~Q(status=LectureStatus.PUBLISHED) | ~Q(title=""),
                name="lectures_lecture_published_has_title",
                field="title",
                violation_error_message=_("A published lecture needs a title. Add one, or keep the lecture announced."),
            ),
            FieldCheckConstraint(
                condition=Q(duration__isnull=True) | Q(duration__gte=timedelta(0)),
                name="lectures_lecture_duration_not_negative",
                field="duration",
                violation_error_message=_("A video cannot be shorter than nothing."),
            ),
            FieldCheckConstraint(
                condition=~Q(summary__contains="\r")
                & ~Q(summary_en__contains="\r")
                & ~Q(topics__contains="\r")
                & ~Q(topics_en__contains="\r"),
                name="lectures_lecture_text_lines_end_in_lf",
                field="summary",
                violation_error_message=_("Lines must end with a plain line break."),
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.title}" if self.title else self.label

    # get_absolute_url() comes from ABSOLUTE_URL_OVERRIDES: the lecture's page is the progress app's.

    def save(self, *args, **kwargs):
        self.course_id = self.part.course_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.part_id is not None:
            self.course_id = self.part.course_id

    def validate_constraints(self, exclude=None):
        # A form has the part but not the course, which follows from it: where the part is checked,
        # the slug is checked within the part's course too.
        if exclude and "course" in exclude and "part" not in exclude:
            exclude = set(exclude) - {"course"}
        super().validate_constraints(exclude)

    @property
    def label(self):
        """The lecture's number as learners read it: "Lecture 3" or "Bonus 1"."""
        if self.part.kind == Part.Kind.BONUS:
            return gettext("Bonus %(number)s") % {"number": self.number}
        return gettext("Lecture %(number)s") % {"number": self.number}

    @property
    def display_title(self):
        return self.title or gettext("Title not announced")

    @property
    def language(self):
        return self.course.language

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and (
            self.published_at is None or self.published_at <= timezone.now()
        )

    @property
    def due(self):
        """When a lecture learners cannot open yet is due, if it has a date to come: its publish time or its date."""
        if self.is_published:
            return None
        if self.status == self.Status.PUBLISHED:
            return self.published_at
        if self.date and self.date > timezone.localdate():
            return self.date
        return None

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def youtube_id(self):
        """The video id of a YouTube link, for the privacy-enhanced player."""
        return youtube_id(self.video_url)


class ReadingItem(Bilingual, models.Model):
    Kind = ReadingKind

    lecture = models.ForeignKey(
        Lecture, verbose_name=_("lecture"), on_delete=models.CASCADE, related_name="reading_items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Items are listed by position."))
    kind = models.CharField(_("kind"), max_length=16, choices=ReadingKind, default=ReadingKind.ARTICLE)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=500)
    required = models.BooleanField(_("required"), default=False, help_text=_("Required reading; otherwise optional."))
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("Why it is on the list, or which part to read.")
    )
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reading item")
        verbose_name_plural = _("reading items")
        ordering = ["lecture", "position", "pk"]
        constraints = [
            FieldCheckConstraint(
                condition=~Q(title=""),
                name="lectures_readingitem_title_not_empty",
                field="title",
                violation_error_message=_("Give the reading a title."),
            ),
            FieldCheckConstraint(
                condition=~Q(url=""),
                name="lectures_readingitem_url_not_empty",
                field="url",
                violation_error_message=_("Give the reading a link."),
            ),
            FieldCheckConstraint(
                condition=Q(kind__in=ReadingKind.values),
                name="lectures_readingitem_kind_valid",
                field="kind",
                violation_error_message=_("Choose what kind of reading this is."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def language(self):
        return self.lecture.course.language
