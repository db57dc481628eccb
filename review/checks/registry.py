"""The rule registry: what a rule is, what it yields, and the one place rules are registered.

Modelled on Django's system-check registry (``django/core/checks/registry.py``): a rule is
a small object, ``registry`` holds every rule by code, and ``register`` (or the ``rule``
decorator) adds one. ``RULES`` and ``RULES_BY_CODE`` are live, read-only views of the
registry, so a rule registered by another app's ``AppConfig.ready()`` appears in them too.
Rules run in code order (R01, R02, ...), whatever the order they were registered in.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from items.models import ElementFields
    from review.checks.runner import CatalogContext

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)

# R01-coverage: a two-digit number, then a short English slug. Findings keep the code, so
# a code never changes once released.
RULE_CODE = re.compile(r"R\d{2}-[a-z-]+")
RULE_CODE_MAX_LENGTH = 40
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class CheckResult:
    rule_code: str
    severity: str
    message: str  # Chinese; names the item (第N项“名称”) and the element
    catalog_id: int
    item_id: int | None = None
    element: str | None = None  # a key of vocabulary.ELEMENT_LABELS
    # Tells apart results of one rule on the same item and element (the missing standard
    # item's key, the malformed document number); stable across runs, unlike the message.
    key: str = ""
    # The checked item as it reads (draft or published), for reports; not part of identity.
    item_seq: int | None = field(default=None, compare=False)
    level1: str = field(default="", compare=False)
    level2: str = field(default="", compare=False)

    @cached_property  # read by the run's dedup and again by the findings' sync
    def fingerprint(self) -> str:
        """Identity of the result across runs, at most 120 characters."""
        value = "|".join([self.rule_code, str(self.item_id or ""), self.element or "", self.key])
        if len(value) <= 120:
            return value
        digest = hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()
        return f"{value[:79]}#{digest}"


@dataclass(frozen=True)
class Hit:
    """What a rule's check yields; Rule.run adds the rule's code and severity."""

    message: str
    item: ElementFields | None = None  # a draft Item or a PublishedItem
    element: str | None = None
    key: str = ""


@dataclass(frozen=True)
class Rule:
    """One automated check: a stable code, its default severity, a Chinese title and
    description, and a function from one prepared catalog to its hits."""

    code: str
    severity: str  # the default severity
    title: str
    description: str
    check: Callable[[CatalogContext], Iterable[Hit]] = field(repr=False, compare=False)
    # Called once per run with every context, before any check: loads what the rule needs
    # beyond the prepared contexts (in a fixed number of queries) into ``context.data``.
    prepare: Callable[[list[CatalogContext]], None] | None = field(
        default=None, repr=False, compare=False
    )

    def run(self, context: CatalogContext, *, severity: str | None = None) -> Iterator[CheckResult]:
        """The rule's results on one catalog, each fingerprint once (a channel listed twice
        is one problem). ``severity`` is the province's override of the default."""
        seen: set[str] = set()
        for hit in self.check(context):
            item, key = hit.item, hit.key
            item_id = context.anchor_id(item) if item is not None else None
            if item is not None and item_id is None:
                # A published item whose draft was deleted since: keep results apart.
                key = f"{item.public_id}:{key}"
            result = CheckResult(
                rule_code=self.code,
                severity=severity or self.severity,
                message=hit.message,
                catalog_id=context.catalog.pk,
                item_id=item_id,
                element=hit.element,
                key=key,
                item_seq=item.seq if item is not None else None,
                level1=item.level1 if item is not None else "",
                level2=(item.level2 or "") if item is not None else "",
            )
            if result.fingerprint not in seen:
                seen.add(result.fingerprint)
                yield result


def _validate(rule: Rule) -> None:
    if not (RULE_CODE.fullmatch(rule.code) and len(rule.code) <= RULE_CODE_MAX_LENGTH):
        raise ValueError(
            f"rule code {rule.code!r} must look like 'R14-record-links' "
            f"(R, two digits, a lower-case slug; at most {RULE_CODE_MAX_LENGTH} characters)"
        )
    if rule.severity not in SEVERITIES:
        raise ValueError(f"rule {rule.code}: severity {rule.severity!r} is not one of {SEVERITIES}")
    if not (_CJK.search(rule.title) and _CJK.search(rule.description)):
        raise ValueError(f"rule {rule.code}: the title and the description must be in Chinese")
    if not callable(rule.check):
        raise ValueError(f"rule {rule.code}: check must be a function of a CatalogContext")
    if rule.prepare is not None and not callable(rule.prepare):
        raise ValueError(f"rule {rule.code}: prepare must be a function of the contexts")


class RuleRegistry(Sequence):
    """Every rule by code; as a sequence, the rules in code order."""

    def __init__(self) -> None:
        self._by_code: dict[str, Rule] = {}
        self._ordered: tuple[Rule, ...] | None = None
        self.by_code = MappingProxyType(self._by_code)  # a live, read-only view

    def register(self, rule: Rule) -> Rule:
        """Add ``rule``. Registering the same rule again is harmless; another rule under a
        code already taken is an error, because findings are keyed on the code."""
        _validate(rule)
        known = self._by_code.get(rule.code)
        if known is not None:
            if known == rule and known.check is rule.check:
                return known
            raise ValueError(f"rule code {rule.code} is already registered ({known.title})")
        self._by_code[rule.code] = rule
        self._ordered = None
        return rule

    def unregister(self, code: str) -> Rule:
        """Remove a rule (tests, or an app that replaces a rule); returns it."""
        rule = self._by_code.pop(code)
        self._ordered = None
        return rule

    def ordered(self) -> tuple[Rule, ...]:
        if self._ordered is None:
            self._ordered = tuple(sorted(self._by_code.values(), key=lambda rule: rule.code))
        return self._ordered

    def __getitem__(self, index):
        return self.ordered()[index]

    def __len__(self) -> int:
        return len(self._by_code)

    def __repr__(self) -> str:
        return f"<RuleRegistry {', '.join(rule.code for rule in self.ordered())}>"

    def resolve(self, rules: Iterable[Rule | str] | None) -> list[Rule]:
        """Rules given as Rule objects or codes; None means every registered rule."""
        if rules is None:
            return list(self.ordered())
        resolved = []
        for rule in rules:
            if isinstance(rule, str):
                if rule not in self._by_code:
                    raise ValueError(f"unknown rule code {rule!r}; known: {sorted(self._by_code)}")
                rule = self._by_code[rule]
            resolved.append(rule)
        return resolved


registry = RuleRegistry()
RULES = registry  # every rule, in code order (a live view: later registrations show)
RULES_BY_CODE = registry.by_code  # code -> Rule (a live, read-only mapping)


def register(rule: Rule) -> Rule:
    """Register a Rule object; see the package docstring for where to call it."""
    return registry.register(rule)


def rule(
    code: str,
    severity: str,
    title: str,
    description: str,
    *,
    prepare: Callable[[list[CatalogContext]], None] | None = None,
) -> Callable[[Callable[[CatalogContext], Iterable[Hit]]], Callable]:
    """Decorator: register the decorated function as the check of a new rule.

    The function is returned unchanged, so it can still be called directly.
    """

    def decorator(check: Callable[[CatalogContext], Iterable[Hit]]):
        register(Rule(code, severity, title, description, check, prepare))
        return check

    return decorator
