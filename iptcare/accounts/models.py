"""Organizations, their sites, staff accounts, roles, supervision links and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A treatment provider: the boundary nothing crosses. Every client and staff account belongs to one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    # Whether clients see their own scores after answering (off: they see a thank-you only).
    show_scores_to_clients = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A place where the organization treats clients (a clinic, a residential unit)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                models.F("organization"),
                Lower("name"),
                name="site_name_unique_per_organization",
                violation_error_message=_("This organization already has a site with that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    THERAPIST = "therapist", _("Therapist")
    COUNSELLOR = "counsellor", _("Counsellor")
    PHYSICIAN = "physician", _("Physician")
    SUPERVISOR = "supervisor", _("Clinical supervisor")
    DIRECTOR = "director", _("Program director")
    ADMIN = "admin", _("Organization admin")


# Roles that treat clients directly and so may be on a care team and create client records.
CLINICAL_ROLES = frozenset({Role.THERAPIST, Role.COUNSELLOR, Role.PHYSICIAN, Role.SUPERVISOR})
# Roles that see the organization's whole client list (detail still needs care-team membership).
ORGANIZATION_WIDE_ROLES = frozenset({Role.DIRECTOR, Role.ADMIN})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # People type their e-mail with any capitals; addresses are stored in lower case.
        return self.get(email__iexact=username)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff account. People log in with their e-mail address; roles come from their memberships."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    # The site a person mainly works at; used to pre-fill forms, not to restrict access.
    home_site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    # Django admin access for the platform operator; never needed by clinic staff.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        indexes = [models.Index(fields=["organization", "is_active"], name="user_org_active_idx")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> frozenset[str]:
        """The user's roles, read once per request and kept on the instance."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.memberships.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_org_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in Role.values if r in self.roles]


class Membership(models.Model):
    """One role a staff member holds in their organization; a person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                name="membership_role_unique_per_user",
                violation_error_message=_("This person already holds that role."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class SupervisionLink(models.Model):
    """A clinical supervisor oversees a supervisee's work, and so may read their clients' records."""

    supervisor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervisee_links")
    supervisee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervisor_links")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "supervisee"],
                name="supervision_link_unique",
                violation_error_message=_("This supervision link already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("supervisee")),
                name="supervision_link_not_self",
                violation_error_message=_("Nobody supervises themselves."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.supervisee}"


class PersonalAccessTokenQuerySet(models.QuerySet):
    def active(self) -> PersonalAccessTokenQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class PersonalAccessToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored; the token is shown once."""

    PREFIX = "ipt_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # SHA-256 is enough here: tokens are 256 random bits, so there is nothing to brute-force.
    token_digest = models.CharField(max_length=64, unique=True)
    # The first characters, shown in lists so a person can tell their tokens apart.
    token_hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalAccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_hint}…)"

    @staticmethod
    def digest(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()

    @classmethod
    def new_raw_token(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class SecuritySettings(models.Model):
    """An organization's security choices: which roles must sign in with a second factor.

    Admins always must, whatever is stored; without a row the defaults hold (admins only).
    """

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    # Role values (Role) whose holders must use a second factor, besides admins.
    second_factor_roles = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey("User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "security settings"

    def __str__(self) -> str:
        return f"Security settings of {self.organization_id}"

    @classmethod
    def for_organization(cls, organization_id: int | None) -> SecuritySettings:
        """The stored settings, or the defaults (unsaved) when the organization never changed them."""
        found = cls.objects.filter(organization_id=organization_id).first() if organization_id else None
        return found or cls(organization_id=organization_id)

    @property
    def roles_needing_second_factor(self) -> frozenset[str]:
        return frozenset(r for r in self.second_factor_roles if r in Role.values) | {Role.ADMIN.value}

    def requires_second_factor(self, user: User) -> bool:
        return bool(user.roles & self.roles_needing_second_factor)
