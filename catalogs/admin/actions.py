"""The second step of admin actions that need more input."""

from django import forms
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse

from catalogs.admin.forms import ChineseMessagesFormMixin


class ActionForm(ChineseMessagesFormMixin, forms.Form):
    """The second step of an admin action that needs more input (标准目录, 调整说明 ...)."""


def action_step(modeladmin, request, *, action, title, intro, objects, form):
    """Render the intermediate page of an action; it posts back to the same action."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "objects": objects,
        "form": form,
        "opts": modeladmin.opts,
        "action": action,
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/catalogs/action_step.html", context)
