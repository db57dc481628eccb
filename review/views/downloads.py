"""The review workbooks: a city's roll-up and an acceptance report."""

from django.contrib.auth.decorators import login_required

from catalogs.downloads import attachment_response
from review import exports
from review.views.base import local_today
from review.views.catalog import decision_for
from review.views.city import city_for


@login_required
def city_rollup(request, code):
    city = city_for(request, code)
    return attachment_response(
        exports.city_rollup_workbook(city), exports.rollup_filename(city, local_today())
    )


@login_required
def decision_xlsx(request, pk):
    decision = decision_for(request, pk)
    return attachment_response(
        exports.acceptance_report_workbook(decision), exports.report_filename(decision)
    )
