"""The people every test talks about.

Alice is a therapist at North Clinic and primary therapist of Fern. Bob supervises Alice. Cody (counsellor) and
Pia (physician) are also on Fern's care team. Tom is a therapist at North who is not. Dan directs North; Dora is
North's medical director, a physician on Fern's team. Eve is North's admin. Carol is a therapist at South Clinic
and must see nothing of North's; Sam is South's admin.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Membership, Organization, Role, Site, SupervisionLink, User
from iptcare.clients.models import CareTeamMember, Client, Person, TeamRole

PASSWORD = "correct horse battery staple"
_identifiers = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Make the data key for encrypted fields once, outside every test's transaction, and hold it in memory, so
    that the first encrypted write of a test costs no extra queries (query counts stay what the page costs)."""
    from iptcare.encryption import keyring

    with django_db_blocker.unblock():
        keyring.current_data_key()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counts live in a process-wide cache: each test starts with none."""
    from django.core.cache import caches

    caches["ratelimit"].clear()


def make_staff(org: Organization, email: str, name: str, *roles: str, site: Site | None = None) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=name, organization=org, home_site=site)
    Membership.objects.bulk_create([Membership(user=user, role=r) for r in roles])
    return user


def make_client(
    org: Organization,
    site: Site,
    *,
    primary: User | None = None,
    team: dict[User, str] | None = None,
    **fields: Any,
) -> Client:
    number = next(_identifiers)
    values: dict[str, Any] = {
        "identifier": f"T-{number:05d}",
        "given_name": f"Given{number}",
        "family_name": f"Family{number}",
        "date_of_birth": dt.date(1985, 5, 17),
        "sex_at_birth": "female",
        "status": "active",
    }
    values.update(fields)
    client = Client.objects.create(organization=org, site=site, **values)
    if primary is not None:
        CareTeamMember.objects.create(client=client, user=primary, team_role=TeamRole.PRIMARY_THERAPIST)
    for user, team_role in (team or {}).items():
        CareTeamMember.objects.create(client=client, user=user, team_role=team_role)
    return client


@pytest.fixture
def north(db: Any) -> Organization:
    return Organization.objects.create(name="North Clinic", slug="north")


@pytest.fixture
def north_site(north: Organization) -> Site:
    return Site.objects.create(organization=north, name="North Main")


@pytest.fixture
def north_annex(north: Organization) -> Site:
    return Site.objects.create(organization=north, name="North Annex")


@pytest.fixture
def south(db: Any) -> Organization:
    return Organization.objects.create(name="South Clinic", slug="south")


@pytest.fixture
def south_site(south: Organization) -> Site:
    return Site.objects.create(organization=south, name="South Main")


@pytest.fixture
def alice(north: Organization, north_site: Site) -> User:
    return make_staff(north, "alice@north.test", "Alice Ashby", Role.THERAPIST, site=north_site)


@pytest.fixture
def bob(north: Organization, alice: User) -> User:
    bob = make_staff(north, "bob@north.test", "Bob Brennan", Role.SUPERVISOR)
    SupervisionLink.objects.create(supervisor=bob, supervisee=alice)
    return bob


@pytest.fixture
def cody(north: Organization) -> User:
    return make_staff(north, "cody@north.test", "Cody Clarke", Role.COUNSELLOR)


@pytest.fixture
def pia(north: Organization) -> User:
    return make_staff(north, "pia@north.test", "Pia Patel", Role.PHYSICIAN)


@pytest.fixture
def tom(north: Organization) -> User:
    return make_staff(north, "tom@north.test", "Tom Tran", Role.THERAPIST)


@pytest.fixture
def dan(north: Organization) -> User:
    return make_staff(north, "dan@north.test", "Dan Dunn", Role.DIRECTOR)


@pytest.fixture
def dora(north: Organization) -> User:
    return make_staff(north, "dora@north.test", "Dora Diaz", Role.DIRECTOR, Role.PHYSICIAN)


@pytest.fixture
def eve(north: Organization) -> User:
    eve = make_staff(north, "eve@north.test", "Eve Evans", Role.ADMIN)
    TOTPDevice.objects.create(user=eve, name="phone", confirmed=True)
    return eve


@pytest.fixture
def carol(south: Organization, south_site: Site) -> User:
    return make_staff(south, "carol@south.test", "Carol Cruz", Role.THERAPIST, site=south_site)


@pytest.fixture
def sam(south: Organization) -> User:
    sam = make_staff(south, "sam@south.test", "Sam Soto", Role.ADMIN)
    TOTPDevice.objects.create(user=sam, name="phone", confirmed=True)
    return sam


@pytest.fixture
def fern(north: Organization, north_site: Site, alice: User, cody: User, pia: User, dora: User) -> Client:
    """Fern is Alice's client; Cody, Pia and Dora are on her care team."""
    client = make_client(
        north,
        north_site,
        primary=alice,
        team={cody: TeamRole.COUNSELLOR, pia: TeamRole.PHYSICIAN, dora: TeamRole.PHYSICIAN},
        identifier="N-0001",
        given_name="Fern",
        family_name="Fairweather",
    )
    Person.objects.create(
        client=client,
        name="Big sister",
        relationship_type="sibling",
        is_support_contact=True,
        phone="555 010 1234",
    )
    return client


def sign_in(user: User) -> HttpClient:
    """A browser session for `user`, past the second factor when they have one."""
    http = HttpClient()
    http.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = http.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return http


def confirm_password(http: HttpClient) -> HttpClient:
    """As if the person had just confirmed their password (/accounts/confirm-password/), for sensitive pages."""
    from iptcare.accounts.security import REAUTH_SESSION_KEY

    session = http.session
    session[REAUTH_SESSION_KEY] = time.time()
    session.save()
    return http


@pytest.fixture
def signed_in() -> Callable[[User], HttpClient]:
    return sign_in


def bearer(user: User) -> dict[str, str]:
    """Headers for an API call with a fresh personal access token of `user`."""
    from iptcare.accounts.actions import do_create_token

    _token, raw = do_create_token(user, name="test", acting_user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def api_headers() -> Callable[[User], dict[str, str]]:
    return bearer
