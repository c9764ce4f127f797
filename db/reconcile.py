"""Keep the snapshot store in step with the warehouse, which is the record of what is ingested.

Run by every command that opens the warehouse (and by `renkei doctor`, which prints what it did): a stored
edition the manifest does not list (a run stopped between its commit and the manifest) is listed again from
its database row; a missing records file is written again from the warehouse; a missing source file is
restored from a file the user names (`renkei doctor --restore FILE`) or reported with that command; manifest
entries of editions the warehouse does not hold are dropped; temporary files of processes that died are
removed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from db.models import Edition
from db.queries import editions, export_records
from db.session import Database
from renkei.store import SnapshotEntry, SnapshotStore, entry_paths, sha256_of, temporary_prefix, write_records_file


@dataclass
class Reconciliation:
    """What reconciling did (`repaired`) and what it could not do (`problems`), one line each."""

    repaired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems


def reconcile(db: Database, store: SnapshotStore, *, restore: Sequence[Path] = ()) -> Reconciliation:
    """Bring the store in line with the warehouse (see the module docstring); files in `restore` whose sha256
    is that of a missing source file are copied into the store."""
    done = Reconciliation()
    for leftover in store.leftovers():
        leftover.unlink(missing_ok=True)
        done.repaired.append(f"removed {leftover} (a temporary file of a run that stopped)")
    with db.reading() as session:
        stored = editions(session)
        listed = {entry.sha256: entry for entry in store.entries()}
        offered = {sha256_of(path): path for path in restore if path.is_file()}
        for edition in stored:
            _source_file(edition, store, offered, done)
            _records_file(session, edition, store, done)
            expected = _entry(edition)
            if _differs(listed.get(edition.sha256), expected):
                store.put(expected)
                done.repaired.append(
                    f"listed edition {edition.as_of.isoformat()} ({edition.source_name}) in {store.manifest_path} "
                    "(the run that stored it stopped before listing it)"
                )
    _superseded(stored, listed, store, done)
    return done


def _source_file(edition: Edition, store: SnapshotStore, offered: dict[str, Path], done: Reconciliation) -> None:
    relative, _ = entry_paths(edition.sha256, edition.source_format)
    path = store.root / relative
    if path.is_file():
        return
    if edition.sha256 in offered:
        _copy_in(offered[edition.sha256], path)
        done.repaired.append(f"restored {path} from {offered[edition.sha256]}")
        return
    where = (edition.source or {}).get("final_url") or (edition.source or {}).get("location") or edition.source_name
    done.problems.append(
        f"{path}: the source file of edition {edition.as_of.isoformat()} ({edition.source_name}, sha256 "
        f"{edition.sha256[:12]}…) is missing; get it again ({where}) and run: renkei doctor --restore FILE"
    )


def _records_file(session, edition: Edition, store: SnapshotStore, done: Reconciliation) -> None:  # type: ignore[no-untyped-def]
    _, relative = entry_paths(edition.sha256, edition.source_format)
    path = store.root / relative
    if not path.is_file():
        write_records_file(path, tuple(export_records(session, edition.as_of)))
        done.repaired.append(f"wrote {path} again from the warehouse")


def _entry(edition: Edition) -> SnapshotEntry:
    source, records = entry_paths(edition.sha256, edition.source_format)
    return SnapshotEntry(
        as_of=edition.as_of.isoformat(),
        original_name=edition.source_name,
        format=edition.source_format,
        size=edition.size_bytes,
        sha256=edition.sha256,
        stored_at=edition.ingested_at.isoformat(timespec="seconds"),
        source=source,
        records=records,
        record_count=edition.record_count,
        provenance=edition.source,
    )


def _differs(listed: SnapshotEntry | None, expected: SnapshotEntry) -> bool:
    """Whether the manifest's entry must be replaced: missing, or saying otherwise about the file (the time it
    was stored at may differ by the moments between staging and commit)."""
    if listed is None:
        return True
    keys = ("as_of", "original_name", "format", "size", "source", "records", "record_count", "superseded_by")
    return any(getattr(listed, k) != getattr(expected, k) for k in keys) or (
        expected.provenance is not None and listed.provenance != expected.provenance
    )


def _superseded(
    stored: list[Edition], listed: dict[str, SnapshotEntry], store: SnapshotStore, done: Reconciliation
) -> None:
    """Entries of files the warehouse no longer holds: replaced ones stay (marked), others are unlisted."""
    current = {e.sha256 for e in stored}
    replaced_by = {s.get("sha256"): e.sha256 for e in stored for s in (e.supersedes or []) if s.get("sha256")}
    stale = set()
    for sha256, entry in listed.items():
        if sha256 in current or entry.superseded_by:
            continue
        if sha256 in replaced_by:
            store.put(replace(entry, superseded_by=replaced_by[sha256]))
            done.repaired.append(f"marked {entry.original_name} ({entry.as_of}) as replaced in {store.manifest_path}")
        else:
            stale.add(sha256)
    if stale:
        store.remove_entries(stale)
        for sha256 in sorted(stale):
            done.repaired.append(
                f"unlisted {listed[sha256].original_name} ({listed[sha256].as_of}) from {store.manifest_path}: "
                "the warehouse does not hold it"
            )


def _copy_in(source: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=final.parent, prefix=temporary_prefix(), suffix=final.suffix)
    os.close(descriptor)
    shutil.copyfile(source, name)
    os.replace(name, final)
