from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_languages(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = [code for code in value if code not in LANGUAGE_CODES]
    if unknown:
        raise ValidationError(
            _("Unknown language: %(codes)s."), params={"codes": ", ".join(map(str, unknown))}
        )


class Club(models.Model):
    """A tenant: every court, membership and booking belongs to exactly one club."""

    slug = models.SlugField(_("address name"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_timezone]
    )
    languages = models.JSONField(_("languages"), default=list, validators=[validate_languages])
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code."))],
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    open_signup = models.BooleanField(_("anyone may join"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("club")
        verbose_name_plural = _("clubs")

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Court(models.Model):
    class Sport(models.TextChoices):
        TENNIS = "tennis", _("Tennis")
        PADEL = "padel", _("Padel")
        SQUASH = "squash", _("Squash")
        BADMINTON = "badminton", _("Badminton")
        PICKLEBALL = "pickleball", _("Pickleball")
        OTHER = "other", _("Other")

    class Surface(models.TextChoices):
        CLAY = "clay", _("Clay")
        HARD = "hard", _("Hard court")
        GRASS = "grass", _("Grass")
        ARTIFICIAL = "artificial", _("Artificial grass")
        CARPET = "carpet", _("Carpet")
        WOOD = "wood", _("Wood")
        OTHER = "other", _("Other")

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="courts")
    name = models.CharField(_("name"), max_length=80)
    sport = models.CharField(_("sport"), max_length=20, choices=Sport.choices, default=Sport.TENNIS)
    surface = models.CharField(
        _("surface"), max_length=20, choices=Surface.choices, default=Surface.HARD
    )
    indoor = models.BooleanField(_("indoor"), default=False)
    has_lights = models.BooleanField(_("lights"), default=False)
    is_active = models.BooleanField(_("bookable"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["club", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["club", "name"], name="court_name_unique_per_club")
        ]
        verbose_name = _("court")
        verbose_name_plural = _("courts")

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One opening period of a court on one weekday (Monday = 0), in the club's time."""

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"))

    class Meta:
        ordering = ["court", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="opening_hours_close_after_open",
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday_range"),
        ]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        day = self.get_weekday_display()
        return f"{self.court} {day} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class Closure(models.Model):
    """A dated period when one court, or the whole club (court empty), cannot be booked."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="closures")
    court = models.ForeignKey(
        Court, on_delete=models.CASCADE, related_name="closures", null=True, blank=True
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["club", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="closure_end_after_start"
            )
        ]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return self.reason


class MembershipType(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="membership_types")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["club", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["club", "name"], name="membership_type_name_unique_per_club"
            )
        ]
        verbose_name = _("membership type")
        verbose_name_plural = _("membership types")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Club roles, from most to least privileged."""

    ADMIN = "admin", _("Club admin")
    STAFF = "staff", _("Staff")
    COACH = "coach", _("Coach")
    MEMBER = "member", _("Member")


ROLE_RANK = {Role.ADMIN: 3, Role.STAFF: 2, Role.COACH: 1, Role.MEMBER: 0}


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="memberships")
    membership_type = models.ForeignKey(
        MembershipType, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["club", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "club"], name="one_membership_per_club")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.club} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]


class Invitation(models.Model):
    """An invitation link to join a club. Only the token's SHA-256 is stored."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    membership_type = models.ForeignKey(
        MembershipType, on_delete=models.SET_NULL, null=True, blank=True
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.club}"
