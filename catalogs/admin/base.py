"""Shared pieces of the staff admin: region scoping, service calls and Chinese form messages.

The ModelAdmins in ``items.admin`` build on them; this module imports nothing above the
catalogs app.

Staff users hold no Django model permissions. Every admin class derives from
``RegionScopedAdmin``, which answers Django's permission questions from the user's role
and region (``catalogs.permissions``), narrows every queryset with ``for_user`` and
turns a URL that names another region's object into a 404.

Admin classes never call ``save()`` themselves: they call services. When a service
refuses (``ValidationError``/``PermissionDenied``) the transaction is rolled back and the
same form is shown again with the service's message in Chinese.

The pieces live in modules by concern and are re-exported here, so ``catalogs.admin.base``
stays the one import path: ``service_calls`` (refusals, versions, edit conflicts),
``forms`` (Chinese messages), ``terms`` (vocabulary check boxes and displays),
``scoping`` (staff checks, region-scoped admins, list filters), ``history`` (read-only
history, diff helpers) and ``actions`` (the second step of admin actions).
"""

from catalogs.admin.actions import ActionForm, action_step
from catalogs.admin.forms import (
    AdminModelForm,
    ChineseMessagesFormMixin,
    MultilineCharField,
    name_field_in_messages,
)
from catalogs.admin.history import (
    ChineseHistoryContextHelper,
    ReadOnlyHistoryAdmin,
    ScopedHistoryAdmin,
    change_rows,
    show_value,
)
from catalogs.admin.scoping import (
    CatalogHolderLevelFilter,
    CityFilter,
    ReadOnlyScopedAdmin,
    RegionScopedAdmin,
    ServiceAdmin,
    StaffReadableAdmin,
    can_view_region_cached,
    is_staff_member,
    may_write_catalogs,
)
from catalogs.admin.service_calls import (
    VERSION_FIELD,
    ServiceRefused,
    VersionedFormMixin,
    VersionField,
    calling_service,
    conflict_editor,
    conflict_feedback,
    own_changes,
    refusal_messages,
    report_refusal,
)
from catalogs.admin.terms import TermDisplayMixin, TermsField, join_terms, show_unknown_terms

__all__ = [
    "VERSION_FIELD",
    "ActionForm",
    "AdminModelForm",
    "CatalogHolderLevelFilter",
    "ChineseHistoryContextHelper",
    "ChineseMessagesFormMixin",
    "CityFilter",
    "MultilineCharField",
    "ReadOnlyHistoryAdmin",
    "ReadOnlyScopedAdmin",
    "RegionScopedAdmin",
    "ScopedHistoryAdmin",
    "ServiceAdmin",
    "ServiceRefused",
    "StaffReadableAdmin",
    "TermDisplayMixin",
    "TermsField",
    "VersionField",
    "VersionedFormMixin",
    "action_step",
    "calling_service",
    "can_view_region_cached",
    "change_rows",
    "conflict_editor",
    "conflict_feedback",
    "is_staff_member",
    "join_terms",
    "may_write_catalogs",
    "name_field_in_messages",
    "own_changes",
    "refusal_messages",
    "report_refusal",
    "show_unknown_terms",
    "show_value",
]
