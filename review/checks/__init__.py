"""Automated checks of derived catalogs (自动检查): a registry of rules run over draft items.

Every rule has a stable code, a default severity, a Chinese title and a description, and
yields results for one catalog at a time. ``run_checks`` loads what the rules need in a
fixed number of queries whatever the number of catalogs, and writes nothing: the review
services (``review.services.check_runs``) turn the results into findings.

Severities: ``error`` — the catalog breaks the standard or cannot be published as it is
(a missing standard item, a missing element, a wrong level, a duplicate); ``warning`` —
probably wrong and worth a person's look (template wording left in, a renamed item,
a malformed citation, an unreadable or looser deadline); ``info`` — allowed, but could be
better (a basis that cites no specific document, as the national template itself does).

Layout
------
``registry``   Rule, Hit, CheckResult, the severities, the registry (``register``, ``rule``)
``runner``     CatalogContext, ``load_contexts`` and ``run_checks``
``text``       name normalisation and message labels shared by the families
one module per rule family, listed in ``RULE_FAMILIES`` below:
``coverage`` (R01, R02, R05), ``channels`` (R03, R04), ``subject`` (R06), ``names`` (R07),
``basis`` (R08, R09), ``deadlines`` (R10, R11), ``duplicates`` (R12, R13), ``records``
(R14–R18: the disclosure records behind each item, loaded by its ``prepare``).

Adding a rule
-------------
Write the check in the module of its family (or a new family module, added to
``RULE_FAMILIES``) and decorate it; add its failing and passing cases to the tests::

    from review.checks.registry import WARNING, Hit, rule
    from review.checks.runner import CatalogContext
    from review.checks.text import item_label

    @rule("R14-record-links", WARNING, "公开信息链接有效", "每条公开信息的链接都应能打开……")
    def check_record_links(context: CatalogContext):
        for item in context.items:
            if ...:
                yield Hit(f"{item_label(item)}：……", item, "channels", key="…")

The code is ``R`` + two digits + a slug and never changes once released: findings are
matched on it. Rules run in code order. A rule that needs data ``load_contexts`` does not
load (records, service guides) names a ``prepare`` function: ``run_checks`` calls it once
with every context before any check runs, and it loads that data for all of them in a fixed
number of queries into ``context.data[<its own key>]``::

    def load_records(contexts):
        by_catalog = group_by_catalog(Record.objects.filter(catalog__in=[c.catalog for c in contexts]))
        for context in contexts:
            context.data["records"] = by_catalog.get(context.catalog.pk, [])

    @rule("R14-record-links", WARNING, "……", "……", prepare=load_records)
    def check_record_links(context): ...

Rules from other apps
---------------------
Review sits above records and services, so rules over their data live here, in a family
module that imports their models (a lower app never imports review). An app at review's
level or above registers its rules in its ``AppConfig.ready()``::

    def ready(self):
        from review.checks import register, Rule
        register(Rule("R20-...", ERROR, "……", "……", check_function))

``RULES`` and ``RULES_BY_CODE`` are live views of the registry, so such rules run with the
others, show in the dashboard's titles and in ``check_catalogs``.
"""

from importlib import import_module

from review.checks.basis import (
    GENERIC_BASIS,
    SUGGESTED_BASIS,
    basis_citation_problems,
    cites_specific_document,
)
from review.checks.names import NAME_DRIFT_MIN_COVERAGE
from review.checks.registry import (
    ERROR,
    INFO,
    RULES,
    RULES_BY_CODE,
    SEVERITIES,
    WARNING,
    CheckResult,
    Hit,
    Rule,
    RuleRegistry,
    register,
    registry,
    rule,
)
from review.checks.runner import CatalogContext, load_contexts, run_checks
from review.checks.subject import (
    GENERIC_SUBJECTS,
    place_stem,
    subject_generic_phrases,
    suggested_subject,
)
from review.checks.text import name_coverage, name_key, normalize_name

# The built-in rule families: importing a module registers its rules.
RULE_FAMILIES = (
    "review.checks.coverage",
    "review.checks.channels",
    "review.checks.subject",
    "review.checks.names",
    "review.checks.basis",
    "review.checks.deadlines",
    "review.checks.duplicates",
    "review.checks.records",
    "review.checks.standard",
    "review.checks.guides",
    "review.checks.service_names",
    "review.checks.policies",
    "review.checks.participation",
    "review.checks.villages",
)
for _family in RULE_FAMILIES:
    import_module(_family)

__all__ = [
    "ERROR",
    "GENERIC_BASIS",
    "GENERIC_SUBJECTS",
    "INFO",
    "NAME_DRIFT_MIN_COVERAGE",
    "RULES",
    "RULES_BY_CODE",
    "RULE_FAMILIES",
    "SEVERITIES",
    "SUGGESTED_BASIS",
    "WARNING",
    "CatalogContext",
    "CheckResult",
    "Hit",
    "Rule",
    "RuleRegistry",
    "basis_citation_problems",
    "cites_specific_document",
    "load_contexts",
    "name_coverage",
    "name_key",
    "normalize_name",
    "place_stem",
    "register",
    "registry",
    "rule",
    "run_checks",
    "subject_generic_phrases",
    "suggested_subject",
]
