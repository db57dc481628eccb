"""Template tags of the records app, for pages of the apps above it.

``{% missing_holiday_years today as years %}`` (the province dashboard): the years whose
holiday schedule the working-day calendar lacks (``records.selectors.missing_holiday_years``).
"""

from django import template

from records.selectors import missing_holiday_years as _missing_holiday_years

register = template.Library()


@register.simple_tag
def missing_holiday_years(today) -> list[int]:
    return _missing_holiday_years(today=today)
