"""The review hold: an edition whose changes against the one before are implausibly many is held for a person to
look at before anything is written.

A year's real changes touch a few percent of the programs. A new file format, a new layout or a half-broken
file parses "successfully" but changes everything: hundreds of false events that would land in the warehouse
and in every report after. The gate (renkei.validate) catches missing wards and counts; this catches volume.

Thresholds (environment, defaults chosen from the derived-edition generator's realistic range; see README):

- RENKEI_REVIEW_MAX_CHANGED_SHARE   share of the previous edition's programs touched by any event
- RENKEI_REVIEW_MAX_PARTNER_REMOVED_SHARE   share of the previous edition's partner links removed
- RENKEI_REVIEW_MAX_WARD_REMOVED_SHARE     share of one ward's programs ended (only counted from
  RENKEI_REVIEW_MIN_WARD_REMOVED programs up, so a ward with three programs may end two)
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date

from renkei.diff import EVENT_KINDS, ChangeEvent
from renkei.errors import RenkeiError, SettingsError
from renkei.normalise.wards import all_wards
from renkei.records import Record

# The generator's editions (tests/derive.py: 6, 19 and 26 changes of every kind with all its noise, 12 seeds
# each) reach at most 3.1% of programs changed, 0.1% of partner links removed and 2 programs ended in one
# ward. The defaults leave a busy year about five times that room and still hold a misread file, which changes
# far more (a shifted column changes nearly every program).
DEFAULT_MAX_CHANGED_SHARE = 0.15
DEFAULT_MAX_PARTNER_REMOVED_SHARE = 0.05
DEFAULT_MAX_WARD_REMOVED_SHARE = 0.50
DEFAULT_MIN_WARD_REMOVED = 6

_PROGRAM_KINDS = {kind for kind in EVENT_KINDS if not kind.startswith("municipality_")}  # ward-level ones aside


class ReviewHoldError(RenkeiError):
    """An edition's change volume is above the review thresholds; nothing was written."""


@dataclass(frozen=True)
class ReviewSettings:
    max_changed_share: float = DEFAULT_MAX_CHANGED_SHARE
    max_partner_removed_share: float = DEFAULT_MAX_PARTNER_REMOVED_SHARE
    max_ward_removed_share: float = DEFAULT_MAX_WARD_REMOVED_SHARE
    min_ward_removed: int = DEFAULT_MIN_WARD_REMOVED

    def __post_init__(self) -> None:
        for name in ("max_changed_share", "max_partner_removed_share", "max_ward_removed_share"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise SettingsError(f"review setting {name} must lie in (0, 1], got {value!r}")
        if self.min_ward_removed < 1:
            raise SettingsError(f"review setting min_ward_removed must be at least 1, got {self.min_ward_removed!r}")

    @classmethod
    def from_env(cls) -> ReviewSettings:
        values: dict[str, float | int] = {}
        for item in fields(cls):
            variable = "RENKEI_REVIEW_" + item.name.upper()
            raw = os.environ.get(variable)
            if not raw:
                continue
            try:
                values[item.name] = int(raw) if item.name == "min_ward_removed" else float(raw)
            except ValueError:
                raise SettingsError(f"{variable}={raw!r} is not a number") from None
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ChangeVolume:
    """How much an edition changes against the one before it, and what of that is above the thresholds."""

    as_of: date
    previous: date
    programs_before: int
    programs_changed: int
    partner_links_before: int
    partners_removed: int
    ended_per_ward: tuple[tuple[str, int, int], ...]  # (ward name, ended, programs before) where any ended
    events: int
    problems: tuple[str, ...]

    @property
    def held(self) -> bool:
        return bool(self.problems)

    def describe(self) -> str:
        """One line: the edition, its volume, and why it is held."""
        return (
            f"edition {self.as_of.isoformat()} against {self.previous.isoformat()}: {self.events} change events, "
            f"{self.programs_changed} of {self.programs_before} programs changed; held for review: "
            + "; ".join(self.problems)
        )


def change_volume(
    edition_as_of: date,
    previous_as_of: date,
    previous: Sequence[Record],
    events: Sequence[ChangeEvent],
    settings: ReviewSettings,
) -> ChangeVolume:
    """Measure the events of one edition against its predecessor's records and name every threshold exceeded."""
    touched = {(e.ward.code, e.program.name_key) for e in events if e.kind in _PROGRAM_KINDS and e.program is not None}
    links_before = sum(len(r.partners) for r in previous)
    removed = sum(1 for e in events if e.kind == "partner_removed")
    before_per_ward = Counter(r.ward.code for r in previous)
    ended = Counter(e.ward.code for e in events if e.kind == "program_removed")
    names = {w.code: w.name for w in all_wards()}
    problems = []
    changed_share = len(touched) / max(len(previous), 1)
    if changed_share > settings.max_changed_share:
        problems.append(
            f"{len(touched)} of {len(previous)} programs changed ({changed_share:.0%} > "
            f"{settings.max_changed_share:.0%}, RENKEI_REVIEW_MAX_CHANGED_SHARE)"
        )
    removed_share = removed / max(links_before, 1)
    if removed_share > settings.max_partner_removed_share:
        problems.append(
            f"{removed} of {links_before} partner links removed ({removed_share:.0%} > "
            f"{settings.max_partner_removed_share:.0%}, RENKEI_REVIEW_MAX_PARTNER_REMOVED_SHARE)"
        )
    for code, count in sorted(ended.items()):
        share = count / max(before_per_ward[code], 1)
        if count >= settings.min_ward_removed and share > settings.max_ward_removed_share:
            problems.append(
                f"{names.get(code, code)}: {count} of {before_per_ward[code]} programs ended ({share:.0%} > "
                f"{settings.max_ward_removed_share:.0%}, RENKEI_REVIEW_MAX_WARD_REMOVED_SHARE)"
            )
    return ChangeVolume(
        as_of=edition_as_of,
        previous=previous_as_of,
        programs_before=len(previous),
        programs_changed=len(touched),
        partner_links_before=links_before,
        partners_removed=removed,
        ended_per_ward=tuple(
            (names.get(code, code), count, before_per_ward[code]) for code, count in sorted(ended.items())
        ),
        events=len(events),
        problems=tuple(problems),
    )


def hold_markdown(volumes: Sequence[ChangeVolume]) -> str:
    """What a reviewer reads before approving (Japanese): per held edition, the volume and the reasons."""
    parts = ["# renkei 更新: 確認待ち（変更量が想定を超えています）\n"]
    for volume in volumes:
        parts.append(f"## {volume.as_of.isoformat()} 版（{volume.previous.isoformat()} 版との比較）\n")
        parts.append(
            f"- 変更イベント {volume.events} 件、変更のある事業 {volume.programs_changed} / {volume.programs_before}\n"
            f"- 削除された連携相手 {volume.partners_removed} / {volume.partner_links_before}\n"
        )
        if volume.problems:
            parts.append("保留の理由:\n\n" + "".join(f"- {p}\n" for p in volume.problems))
    parts.append(
        "\n承認すると取り込みます。却下または期限切れの場合は何も書き込みません。"
        "（Prefect UI でフローランの Resume、または `renkei run --accept-changes`）\n"
    )
    return "\n".join(parts)
