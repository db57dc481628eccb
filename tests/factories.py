"""factory_boy factories shared by every test module.

Catalogs are made the way staff make them: ``catalog_derive`` creates one, and a state trait
moves it along the lifecycle through the real services, so its publications, lifecycle
events and acceptance decisions exist as they would in production::

    CatalogFactory(region=regions.nongan, standard=standards.social, published=True)
    advance(catalogs.town_social, CatalogStatus.ENTERED, at=when)  # an existing catalog
"""

import factory
from django.contrib.auth import get_user_model

from catalogs.lifecycle import catalog_transition
from catalogs.models import (
    Catalog,
    CatalogStatus,
    Region,
    RegionLevel,
    Role,
    StaffProfile,
    StandardCatalog,
)
from catalogs.permissions import SYSTEM
from catalogs.services import standard_catalogs_load_initial

S = CatalogStatus

# The main path of a catalog's year; 退回整改 leaves it from 验收中 (acceptance_decide).
MAIN_PATH = [S.DRAFTING, S.PUBLISHED, S.REVIEWED, S.ENTERED, S.ACCEPTING, S.ACCEPTED]


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:03d}")
    name = factory.Sequence(lambda n: f"测试区划{n}")
    level = RegionLevel.PROVINCE
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("correct-horse-battery")


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    role = Role.COUNTY_EDITOR
    region = None


def staff_user(role: str, region: Region, username: str | None = None):
    """A staff user with one role in one region."""
    user = UserFactory(username=username or f"{role}-{region.code}")
    StaffProfileFactory(user=user, role=role, region=region)
    return user


# ---------------------------------------------------------------------------
# Catalogs and their lifecycle
# ---------------------------------------------------------------------------


def localise(catalog: Catalog, office: str | None = None) -> Catalog:
    """Fill what a derived catalog still lacks so that it can be published."""
    from items.models import Item

    office = office or (catalog.region.office_name or f"{catalog.region.name}人民政府")
    for item in Item.objects.filter(catalog=catalog):
        item.subject = office
        if not item.content:
            item.content = "●相关信息"
        if not item.basis:
            item.basis = "信息公开规定"
        if not item.deadline:
            item.deadline = "制定或获取信息之日起10个工作日内"
        if not item.channels:
            item.channels = ["政府网站"]
        if not item.audience:
            item.audience = ["全社会"]
        if not item.method:
            item.method = ["主动"]
        if catalog.region.catalog_level not in item.levels:
            item.levels = sorted({*item.levels, catalog.region.catalog_level})
        item.save()
    return catalog


def advance(catalog: Catalog, status: str, *, actor=SYSTEM, at=None, note: str = "") -> Catalog:
    """Move ``catalog`` forward to ``status`` through the real services, one move at a time.

    Publishing localises the items and calls ``catalog_publish`` (a Publication row); 复核,
    录入 and 验收中 are ``catalog_transition`` (a CatalogEvent each); 已验收 and 退回整改 are
    ``acceptance_decide`` (an AcceptanceDecision with its snapshot), 已验收 after a check run
    over the latest publication, as the service requires. ``at`` dates every move.
    A catalog already in ``status`` is left alone; a backward move is refused.
    """
    from items.services import catalog_publish

    catalog.refresh_from_db()
    target = S(status)
    if catalog.status == target:
        return catalog
    final = S.ACCEPTING if target == S.RETURNED else target
    if catalog.status not in MAIN_PATH or MAIN_PATH.index(catalog.status) > MAIN_PATH.index(final):
        raise ValueError(f"cannot advance a {catalog.status} catalog to {target}")
    for step in MAIN_PATH[MAIN_PATH.index(catalog.status) + 1 : MAIN_PATH.index(final) + 1]:
        if step == S.PUBLISHED:
            localise(catalog)
            catalog_publish(actor=actor, catalog=catalog, note=note or "发布", now=at)
        elif step == S.ACCEPTED:
            _decide(catalog, "accept", actor=actor, at=at, note=note or "同意通过验收")
        else:
            catalog_transition(actor=actor, catalog=catalog, to_status=step, note=note, at=at)
    if target == S.RETURNED:
        _decide(catalog, "return", actor=actor, at=at, note=note or "退回整改")
    catalog.refresh_from_db()
    return catalog


def _decide(catalog: Catalog, decision: str, *, actor, at, note: str) -> None:
    from review.services import acceptance_decide, checks_run

    if decision == "accept":  # acceptance follows a check run over the latest publication
        checks_run(actor=actor, catalog=catalog)
    acceptance_decide(actor=actor, catalog=catalog, decision=decision, note=note, now=at)


def default_standard() -> StandardCatalog:
    standard_catalogs_load_initial()  # a no-op once loaded
    return StandardCatalog.objects.get(code="social-assistance")


class CatalogFactory(factory.django.DjangoModelFactory):
    """A derived catalog in a chosen lifecycle state: ``CatalogFactory(reviewed=True)``.

    ``actor`` makes every move (default: the system actor) and ``at`` dates them.
    """

    class Meta:
        model = Catalog

    region = factory.SubFactory(
        RegionFactory,
        level=RegionLevel.COUNTY,
        name=factory.Sequence(lambda n: f"测试县{n}"),
        office_name=factory.LazyAttribute(lambda region: f"{region.name}民政局"),
    )
    standard = factory.LazyFunction(default_standard)
    lifecycle = S.DRAFTING
    actor = SYSTEM
    at = None

    class Params:
        draft = factory.Trait(lifecycle=S.DRAFTING)
        published = factory.Trait(lifecycle=S.PUBLISHED)
        reviewed = factory.Trait(lifecycle=S.REVIEWED)
        entered = factory.Trait(lifecycle=S.ENTERED)
        accepting = factory.Trait(lifecycle=S.ACCEPTING)
        accepted = factory.Trait(lifecycle=S.ACCEPTED)
        returned = factory.Trait(lifecycle=S.RETURNED)

    @classmethod
    def _create(cls, model_class, *, region, standard, lifecycle, actor, at, **kwargs):
        from items.services import catalog_derive

        if kwargs:
            raise TypeError(f"CatalogFactory sets no fields directly: {sorted(kwargs)}")
        catalog = catalog_derive(actor=actor, region=region, standard=standard)
        return advance(catalog, lifecycle, actor=actor, at=at)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("CatalogFactory only creates: a catalog exists once it is derived")


# ---------------------------------------------------------------------------
# Participation (公众参与): a county's catalog and consultations on it
# ---------------------------------------------------------------------------


def participation_catalog(region: Region, *, matters: int = 2, published: bool = True):
    """A county's participation catalog with ``matters`` rows, published once by default."""
    from participation.models import Method
    from participation.services import (
        matter_create,
        participation_catalog_create,
        participation_catalog_publish,
    )

    catalog = participation_catalog_create(actor=SYSTEM, region=region)
    for number in range(1, matters + 1):
        matter_create(
            actor=SYSTEM,
            catalog=catalog,
            name=f"公众参与事项{number}",
            scope="政策调整方案",
            methods=[Method.CONSULTATION, Method.HEARING],
            timing="方案起草阶段",
            feedback_channel="县政府网站",
            office=region.office_name or f"{region.name}民政局",
        )
    if published:
        participation_catalog_publish(actor=SYSTEM, catalog=catalog, note="首次公开")
    return catalog


def consultation(matter, *, opens_on, closes_on, field: str = "社会救助", title: str = ""):
    """A consultation on a row of a published participation catalog."""
    from participation.services import consultation_create

    return consultation_create(
        actor=SYSTEM,
        matter=matter,
        field=field,
        title=title or f"关于{matter.name}的意见征集",
        draft_text="征求意见稿正文",
        opens_on=opens_on,
        closes_on=closes_on,
    )
