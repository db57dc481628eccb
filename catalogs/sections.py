"""What an app adds to a public page: the data class shared by the apps and portal.sections.

It lives here, in the lowest app, so that every app's ``public.py`` can build one without
importing portal (a higher layer). ``portal.sections`` collects and renders them.
"""

from dataclasses import dataclass, field


@dataclass
class Section:
    """Rendered with ``{% include template %}``; sees the page's context plus ``section``."""

    template: str
    context: dict = field(default_factory=dict)
    slot: str = "main"  # "main": after the elements / the table; "aside": by the contact card
    order: int = 50
