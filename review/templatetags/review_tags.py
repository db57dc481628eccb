from django import template

from review.checks import RULES_BY_CODE
from review.selectors.worklists import catalog_state

register = template.Library()


@register.filter
def person(user) -> str:
    """A staff member's display name; the system actor (no user) shows as 系统."""
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


@register.filter
def rule_title(code: str) -> str:
    """A rule's Chinese title with its short number (R09), never the code's English slug."""
    if not code:
        return ""
    rule = RULES_BY_CODE.get(code)
    number = code.split("-", 1)[0]
    if rule is None:
        return f"检查规则{number}"
    return f"{rule.title}（{number}）"


@register.inclusion_tag("review/_state.html", takes_context=True)
def catalog_state_panel(context, catalog):
    """Why the catalog is in its state and what the viewing user can do next (the admin's
    catalog and item pages load this from the review app)."""
    request = context["request"]
    return {"state": catalog_state(request.user, catalog), "here": request.path}
