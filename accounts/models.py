from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def normalize_email(email):
    """The one spelling of an address: trimmed and lowercased whole, as allauth stores it.

    Mailboxes that differ only in case are one mailbox to the people who own
    them, and allauth lowercases what is typed at sign-in.
    """
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return normalize_email(email)

    def get_by_natural_key(self, email):
        # Sign-in, createsuperuser and the admin find an account however its address is typed.
        return self.get(email=normalize_email(email))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class Theme(models.TextChoices):
    SYSTEM = "system", _("Follow the system")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class User(AbstractUser):
    """A learner or a member of staff, known by email address."""

    Theme = Theme

    username = None
    email = models.EmailField(_("email address"), unique=True)
    theme = models.CharField(
        _("theme"),
        max_length=6,
        choices=Theme,
        default=Theme.SYSTEM,
        help_text=_("Colour theme of the site for this person."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        db_default="",
        help_text=_("Language of the site for this person. Empty: their browser's, else Russian."),
    )
    password_unproven = models.BooleanField(
        default=False,
        help_text=(
            "The password was chosen at sign-up and the address has not been confirmed yet. "
            "Confirmed in the browser that signed up, the password stays; confirmed anywhere else, "
            "it stops working and the owner chooses their own."
        ),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            # Addresses that differ only in case are the same mailbox to a person.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            # Every path that writes a user (forms, admin, createsuperuser, fixtures) stores one spelling.
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="accounts_user_email_lowercase"),
            models.CheckConstraint(condition=models.Q(theme__in=Theme.values), name="accounts_user_theme_valid"),
            models.CheckConstraint(
                condition=models.Q(language__in=["", *dict(settings.LANGUAGES)]), name="accounts_user_language_valid"
            ),
        ]
        indexes = [
            # The few members of staff, whom the staff analytics leave out of every count: found
            # without reading every learner.
            models.Index(fields=["is_staff"], condition=models.Q(is_staff=True), name="accounts_user_staff"),
        ]

    def __str__(self):
        return self.email
