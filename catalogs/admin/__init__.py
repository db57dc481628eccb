"""Shared pieces of the staff admin that depend on the catalogs app alone.

Nothing is registered here. The ModelAdmins of regions, staff users, the standard
catalogs and derived catalogs need the item services and inlines, so they live in
``items.admin`` (the lowest app that can import everything they use); they build on
``catalogs.admin.base``: region scoping, writes through services, Chinese form messages,
read-only history and the term displays.
"""
