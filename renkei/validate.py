"""The validation gate an edition passes before anything is written: every ward present, no ward dropping to
zero programs, and a program count within a ratio of the previous edition's. A misread file (a page range
missing, a different table) then fails the run with a reason instead of showing as mass changes."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from renkei.errors import RenkeiError, SettingsError
from renkei.normalise.wards import all_wards
from renkei.records import Edition

DEFAULT_MIN_RATIO = 0.7
DEFAULT_MAX_RATIO = 1.5


class ValidationError(RenkeiError):
    """An edition failed the validation gate; nothing was written."""


@dataclass(frozen=True)
class GateSettings:
    """min_ratio/max_ratio: the edition's program count ÷ the previous edition's must lie between them
    (RENKEI_GATE_MIN_RATIO, RENKEI_GATE_MAX_RATIO)."""

    min_ratio: float = DEFAULT_MIN_RATIO
    max_ratio: float = DEFAULT_MAX_RATIO

    @classmethod
    def from_env(cls) -> GateSettings:
        values = {}
        for name, variable in (("min_ratio", "RENKEI_GATE_MIN_RATIO"), ("max_ratio", "RENKEI_GATE_MAX_RATIO")):
            raw = os.environ.get(variable)
            if raw:
                try:
                    values[name] = float(raw)
                except ValueError:
                    raise SettingsError(f"{variable}={raw!r} is not a number") from None
        settings = cls(**values)
        if not 0 < settings.min_ratio <= 1 <= settings.max_ratio:
            raise SettingsError("the gate needs 0 < RENKEI_GATE_MIN_RATIO ≤ 1 ≤ RENKEI_GATE_MAX_RATIO")
        return settings


def gate_problems(edition: Edition, previous: Mapping[str, int] | None, settings: GateSettings) -> list[str]:
    """What is wrong with `edition` (empty when it passes); `previous` is the programs per ward code of the
    edition before it, or None for the first edition."""
    counts = Counter(r.ward.code for r in edition.records)
    problems = []
    missing = [w.name for w in all_wards() if counts[w.code] == 0]
    if missing:
        dropped = [w.name for w in all_wards() if counts[w.code] == 0 and previous and previous.get(w.code)]
        problems.append(
            f"{len(missing)} of 23 wards have no program ({'、'.join(missing)})"
            + (f"; {'、'.join(dropped)} had programs in the previous edition" if dropped else "")
        )
    if previous:
        before, now = sum(previous.values()), len(edition.records)
        ratio = now / before if before else 1.0
        if not settings.min_ratio <= ratio <= settings.max_ratio:
            problems.append(
                f"{now} programs against {before} in the previous edition (ratio {ratio:.2f}, allowed "
                f"{settings.min_ratio:g}–{settings.max_ratio:g})"
            )
    return problems


def check_gate(
    edition: Edition, source: str, previous: Mapping[str, int] | None, settings: GateSettings | None = None
) -> None:
    """Raise ValidationError naming the file and every problem when `edition` fails the gate."""
    problems = gate_problems(edition, previous, settings or GateSettings.from_env())
    if problems:
        raise ValidationError(f"{source}: edition {edition.as_of} failed the validation gate: {'; '.join(problems)}")
