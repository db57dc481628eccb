import pytest
from django.urls import reverse

from assessment.models import ScoringScheme

pytestmark = pytest.mark.django_db


def post_data(scheme, weights):
    data = {
        "name": scheme.name,
        "is_active": "on",
        "note": scheme.note,
        "indicators-TOTAL_FORMS": str(len(weights)),
        "indicators-INITIAL_FORMS": str(len(weights)),
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
    }
    for n, (indicator, weight) in enumerate(zip(scheme.indicators.all(), weights, strict=True)):
        data.update(
            {
                f"indicators-{n}-id": str(indicator.pk),
                f"indicators-{n}-scheme": str(scheme.pk),
                f"indicators-{n}-order": str(indicator.order),
                f"indicators-{n}-name": indicator.name,
                f"indicators-{n}-weight": str(weight),
                f"indicators-{n}-kind": indicator.kind,
                f"indicators-{n}-dimension": indicator.dimension,
                f"indicators-{n}-milestone_code": indicator.milestone_code,
            }
        )
    return data


def test_the_province_admin_edits_weights_that_add_up_to_100(users, login, client):
    scheme = ScoringScheme.objects.active()
    url = reverse("admin:assessment_scoringscheme_change", args=[scheme.pk])
    login(users.admin)
    assert client.get(url).status_code == 200
    refused = client.post(url, post_data(scheme, [30, 20, 20, 15, 20]))
    assert refused.status_code == 200
    assert "各指标分值合计应为100分，现为105分。" in refused.content.decode()
    accepted = client.post(url, post_data(scheme, [30, 20, 20, 15, 15]))
    assert accepted.status_code == 302
    assert scheme.indicators.get(name="信息公开").weight == 30


def test_a_reviewer_reads_the_scheme_but_cannot_change_it(users, login, client):
    scheme = ScoringScheme.objects.active()
    url = reverse("admin:assessment_scoringscheme_change", args=[scheme.pk])
    login(users.reviewer)
    assert client.get(url).status_code == 200
    client.post(url, post_data(scheme, [30, 20, 20, 15, 15]))
    assert scheme.indicators.get(name="信息公开").weight == 25
    login(users.county_editor)
    assert client.get(url).status_code in (302, 403)
