"""The snapshot store: every ingested source file kept immutably under its sha256, with a manifest and the
normalised records as JSON lines beside it — so any edition can be audited and re-diffed without a database.

Layout of the store's root:

    manifest.json                 {"editions": [{as_of, original_name, format, size, sha256, stored_at, …}]}
    sources/<sha256>.<txt|pdf|xlsx>
    records/<sha256>.jsonl        one contract record per line

Files are written under temporary names first (`stage`) and only become part of the store when the caller
`publish`es them — after its database transaction committed — so a failed run leaves the manifest as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from renkei.errors import StoreError
from renkei.records import Edition, Record, record_from_dict, record_to_dict

_EXTENSIONS = {"text": "txt", "pdf": "pdf", "xlsx": "xlsx"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SnapshotEntry:
    """One stored edition file, as listed in the manifest."""

    as_of: str
    original_name: str
    format: str
    size: int
    sha256: str
    stored_at: str
    source: str  # path relative to the store's root
    records: str
    record_count: int
    superseded_by: str | None = None  # sha256 of the file that replaced it (renkei ingest --replace)
    provenance: dict[str, str | None] | None = None  # where the file came from (renkei.provenance.SourceRecord)


@dataclass
class StagedSnapshot:
    entry: SnapshotEntry
    temporary: list[tuple[Path, Path]] = field(default_factory=list)  # (temporary file, final path)


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def entries(self) -> list[SnapshotEntry]:
        """The manifest's entries, oldest edition first."""
        if not self.manifest_path.exists():
            return []
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{self.manifest_path}: unreadable manifest ({exc})") from exc
        return [SnapshotEntry(**item) for item in data.get("editions", [])]

    def find(self, sha256: str) -> SnapshotEntry | None:
        return next((e for e in self.entries() if e.sha256 == sha256), None)

    def stage(
        self, source: Path, sha256: str, edition: Edition, *, provenance: dict[str, str | None] | None = None
    ) -> StagedSnapshot:
        """Write the source file and its records under temporary names; nothing is listed yet."""
        extension = _EXTENSIONS[edition.source_format]
        entry = SnapshotEntry(
            as_of=edition.as_of.isoformat(),
            original_name=source.name,
            format=edition.source_format,
            size=source.stat().st_size,
            sha256=sha256,
            stored_at=datetime.now(UTC).isoformat(timespec="seconds"),
            source=f"sources/{sha256}.{extension}",
            records=f"records/{sha256}.jsonl",
            record_count=len(edition.records),
            provenance=provenance,
        )
        staged = StagedSnapshot(entry)
        try:
            for relative, writer in (
                (entry.source, lambda handle: handle.write(source.read_bytes())),
                (entry.records, lambda handle: _write_records(handle, edition.records)),
            ):
                final = self.root / relative
                final.parent.mkdir(parents=True, exist_ok=True)
                descriptor, name = tempfile.mkstemp(dir=final.parent, prefix=".staged-", suffix=final.suffix)
                with os.fdopen(descriptor, "wb") as handle:
                    writer(handle)
                staged.temporary.append((Path(name), final))
        except OSError as exc:
            self.discard(staged)
            raise StoreError(f"{self.root}: cannot write snapshot ({exc.strerror or exc})") from exc
        return staged

    def publish(self, staged: StagedSnapshot, *, supersedes: str | None = None) -> None:
        """Move staged files into place (never overwriting a stored file) and list them in the manifest."""
        with self._locked():
            for temporary, final in staged.temporary:
                if final.exists():
                    temporary.unlink(missing_ok=True)  # same content, already stored: files are immutable
                else:
                    os.replace(temporary, final)
            entries = [e for e in self.entries() if e.sha256 != staged.entry.sha256]
            if supersedes:
                entries = [
                    replace(e, superseded_by=staged.entry.sha256) if e.sha256 == supersedes else e for e in entries
                ]
            entries.append(staged.entry)
            self._write_manifest(entries)
        staged.temporary.clear()

    def discard(self, staged: StagedSnapshot) -> None:
        for temporary, _ in staged.temporary:
            temporary.unlink(missing_ok=True)
        staged.temporary.clear()

    def records(self, sha256: str) -> tuple[Record, ...]:
        """The normalised records stored for a file."""
        entry = self.find(sha256)
        if entry is None:
            raise StoreError(f"{self.root}: no snapshot with sha256 {sha256}")
        with (self.root / entry.records).open(encoding="utf-8") as handle:
            return tuple(record_from_dict(json.loads(line)) for line in handle if line.strip())

    def _write_manifest(self, entries: list[SnapshotEntry]) -> None:
        entries.sort(key=lambda e: (e.as_of, e.superseded_by is None, e.stored_at))
        payload = json.dumps({"editions": [asdict(e) for e in entries]}, ensure_ascii=False, indent=2) + "\n"
        descriptor, name = tempfile.mkstemp(dir=self.root, prefix=".manifest-", suffix=".json")
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(payload)
        os.replace(name, self.manifest_path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _write_records(handle, records: tuple[Record, ...]) -> None:  # type: ignore[no-untyped-def]
    for record in records:
        handle.write((json.dumps(record_to_dict(record), ensure_ascii=False) + "\n").encode("utf-8"))
