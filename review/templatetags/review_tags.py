from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """A staff member's display name; the system actor (no user) shows as 系统."""
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()
