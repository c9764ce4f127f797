"""The quality report of a parse: every warning, grouped by kind, each with where to look in the source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from renkei.records import WARNING_KINDS, Edition, ParseWarning

LABELS: dict[str, str] = WARNING_KINDS


@dataclass(frozen=True)
class QualityItem:
    kind: str
    label: str
    where: str
    message: str
    program: str


@dataclass(frozen=True)
class QualityReport:
    counts: tuple[tuple[str, str, int], ...]  # (kind, label, count), in LABELS order
    items: tuple[QualityItem, ...]

    @property
    def total(self) -> int:
        return len(self.items)


def quality_report(edition: Edition) -> QualityReport:
    """Collect every warning of an edition with the program it belongs to, in document order."""
    items: list[QualityItem] = []
    seen: set[ParseWarning] = set()
    for record in edition.records:
        for warning in record.warnings:
            seen.add(warning)
            items.append(_item(warning, f"{record.ward.name} {record.name}"))
    for warning in edition.warnings:
        if warning not in seen:
            items.append(_item(warning, ""))
    order = {kind: i for i, kind in enumerate(LABELS)}
    counter = Counter(item.kind for item in items)
    counts = tuple(
        (kind, LABELS.get(kind, kind), counter[kind]) for kind in sorted(counter, key=lambda k: order.get(k, 99))
    )
    return QualityReport(counts=counts, items=tuple(items))


def _item(warning: ParseWarning, program: str) -> QualityItem:
    return QualityItem(
        kind=warning.kind,
        label=LABELS.get(warning.kind, warning.kind),
        where=warning.provenance.describe(),
        message=warning.message,
        program=program,
    )
