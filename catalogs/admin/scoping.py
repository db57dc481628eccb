"""Region scoping: who is staff, who writes, and ModelAdmins whose querysets, objects and
permissions follow the user's role and region; the list filters by city and level.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from catalogs.admin.forms import AdminModelForm
from catalogs.admin.service_calls import ServiceRefused
from catalogs.models import Region, RegionLevel
from catalogs.permissions import (
    EDITOR_ROLES,
    can_edit_region,
    can_view_region,
    is_province_admin,
    profile_of,
    visible_region_filter,
)

# ---------------------------------------------------------------------------
# Region scoping
# ---------------------------------------------------------------------------


def is_staff_member(user) -> bool:
    """A staff user with a role, or a superuser."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or profile_of(user) is not None)
    )


def may_write_catalogs(user) -> bool:
    """Editors and the province administrator write; reviewers and coordinators read."""
    if is_province_admin(user):
        return True
    profile = profile_of(user)
    return bool(profile and profile.role in EDITOR_ROLES)


def can_view_region_cached(request, region: Region) -> bool:
    """``can_view_region``, asked once per region and request (admin asks many times)."""
    cache = request.__dict__.setdefault("_gk_view_region", {})
    if region.pk not in cache:
        cache[region.pk] = can_view_region(request.user, region)
    return cache[region.pk]


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin that writes only through services and shows their refusals in Chinese."""

    form = AdminModelForm

    def get_actions(self, request):
        # Bulk deletion would bypass the services' checks; deletes happen one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        errors = getattr(request, "service_errors", None)
        if errors:
            form = type(form.__name__, (form,), {"service_errors": tuple(errors)})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The first attempt was rolled back; validate again so the form shows why.
            request.service_errors = refused.messages
            if refused.data:
                post = request.POST.copy()
                for key, values in refused.data.items():
                    if values is None:
                        post.pop(key, None)
                    else:
                        post.setlist(key, values)
                request.POST = post
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        raise NotImplementedError(f"{type(self).__name__} must save through a service")

    def save_formset(self, request, form, formset, change):
        raise NotImplementedError(f"{type(self).__name__} must save inlines through a service")

    def delete_model(self, request, obj):
        raise PermissionDenied("不能在管理后台删除该数据。")

    def delete_queryset(self, request, queryset):
        raise PermissionDenied("不能在管理后台删除该数据。")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegionScopedAdmin(ServiceAdmin):
    """A ModelAdmin whose data belongs to a region; access follows the user's role.

    ``region_field`` is the lookup from the model to its Region ("" for Region itself).
    """

    region_field = "region"

    @property
    def region_prefix(self) -> str:
        return f"{self.region_field}__" if self.region_field else ""

    def region_of(self, obj) -> Region:
        for part in filter(None, self.region_field.split("__")):
            obj = getattr(obj, part)
        return obj

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "for_user"):
            return queryset.for_user(request.user)
        return queryset.filter(visible_region_filter(request.user, prefix=self.region_prefix))

    def get_object(self, request, object_id, from_field=None):
        """Another region's object (or none at all) is a 404, never a hint that it exists."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"找不到该{self.opts.verbose_name}，或您无权查看。")
        return obj

    def has_module_permission(self, request):
        return is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        if not is_staff_member(request.user):
            return False
        return obj is None or can_view_region_cached(request, self.region_of(obj))

    def can_change_object(self, user, obj) -> bool:
        return can_edit_region(user, self.region_of(obj))

    def has_change_permission(self, request, obj=None):
        user = request.user
        if not (is_staff_member(user) and may_write_catalogs(user)):
            return False
        return obj is None or self.can_change_object(user, obj)


class StaffReadableAdmin(ServiceAdmin):
    """Province-wide data (the standard catalogs): every staff member reads it."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"找不到该{self.opts.verbose_name}。")
        return obj

    def has_module_permission(self, request):
        return is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_member(request.user)

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyScopedAdmin(RegionScopedAdmin):
    """Records nobody changes by hand (publications): view only, within the user's scope."""

    def has_change_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------------
# List filters
# ---------------------------------------------------------------------------


class CityFilter(admin.SimpleListFilter):
    """The cities (市州) the user can see; choosing one keeps its counties and townships."""

    title = "所属市(州)"
    parameter_name = "city"
    path_lookup = "region__path"

    def lookups(self, request, model_admin):
        cities = Region.objects.for_user(request.user).filter(level=RegionLevel.CITY)
        return [(city.code, city.name) for city in cities.order_by("code")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        city = (
            Region.objects.for_user(request.user)
            .filter(level=RegionLevel.CITY, code=self.value())
            .first()
        )
        if city is None:
            return queryset.none()
        return queryset.filter(**{f"{self.path_lookup}__startswith": city.path})


class CatalogHolderLevelFilter(admin.SimpleListFilter):
    """县级, 乡级 or 村级 (village) catalogs."""

    title = "目录层级"
    parameter_name = "level"
    level_lookup = "region__level"

    def lookups(self, request, model_admin):
        return [
            (RegionLevel.COUNTY.value, "县级目录"),
            (RegionLevel.TOWNSHIP.value, "乡级目录"),
            (RegionLevel.VILLAGE.value, "村（居）目录"),
        ]

    def queryset(self, request, queryset):
        if self.value() in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
            return queryset.filter(**{self.level_lookup: self.value()})
        return queryset
