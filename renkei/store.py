"""The snapshot store: every ingested source file kept immutably under its sha256, with a manifest and the
normalised records as JSON lines beside it — so any edition can be audited and re-diffed without a database.

Layout of the store's root:

    manifest.json                 {"editions": [{as_of, original_name, format, size, sha256, stored_at, …}]}
    sources/<sha256>.<txt|pdf|xlsx>
    records/<sha256>.jsonl        one contract record per line

The database is the record of what is ingested; this store follows it. Files are written under temporary
names first (`stage`), moved to their content-addressed places (`place`) before the database transaction
(a file nobody lists is harmless; they are immutable), and listed in the manifest (`publish`) after it
committed. A crash between commit and publish leaves an edition the manifest does not list yet:
`db.reconcile` lists it again from the database. Temporary names carry this host and process, so leftovers
of a process that died are recognised and removed (`leftovers`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from renkei.errors import StoreError
from renkei.records import Edition, Record, record_from_dict, record_to_dict

_EXTENSIONS = {"text": "txt", "pdf": "pdf", "xlsx": "xlsx"}
STAGED_PREFIX = ".staged-"
FOREIGN_LEFTOVER_SECONDS = 24 * 3600  # a temporary file of another host is left for a day: it may be running


def temporary_prefix(kind: str = STAGED_PREFIX) -> str:
    """A temporary file name's prefix naming this host and process: `.staged-<host>-<pid>-`."""
    return f"{kind}{_host_tag()}-{os.getpid()}-"


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def is_leftover(path: Path, now: float | None = None) -> bool:
    """A temporary file (`.staged-`, `.download-`, `.manifest-`) whose process is gone: on this host, its
    process id no longer runs; from another host (a shared volume), it is more than a day old."""
    parts = path.name.split("-", 3)
    if len(parts) < 4 or not parts[2].isdigit():
        return _age(path, now) > FOREIGN_LEFTOVER_SECONDS  # an old-style name: only an old file is surely dead
    host, pid = parts[1], int(parts[2])
    if host != _host_tag():
        return _age(path, now) > FOREIGN_LEFTOVER_SECONDS
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


def _age(path: Path, now: float | None) -> float:
    try:
        return (now or time.time()) - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


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
    placed: list[Path] = field(default_factory=list)  # files this snapshot put in place (none existed before)


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
                descriptor, name = tempfile.mkstemp(dir=final.parent, prefix=temporary_prefix(), suffix=final.suffix)
                with os.fdopen(descriptor, "wb") as handle:
                    writer(handle)
                staged.temporary.append((Path(name), final))
        except OSError as exc:
            self.discard(staged)
            raise StoreError(f"{self.root}: cannot write snapshot ({exc.strerror or exc})") from exc
        return staged

    def place(self, staged: StagedSnapshot) -> None:
        """Move staged files to their content-addressed places (never overwriting a stored file); nothing is
        listed yet. Done before the database transaction: an unlisted file is harmless, a listed missing one not."""
        with self._locked():
            for temporary, final in staged.temporary:
                if final.exists():
                    temporary.unlink(missing_ok=True)  # same content, already stored: files are immutable
                else:
                    os.replace(temporary, final)
                    staged.placed.append(final)
        staged.temporary.clear()

    def publish(self, staged: StagedSnapshot, *, supersedes: str | None = None) -> None:
        """List a placed snapshot in the manifest (placing its files first if that was not done)."""
        if staged.temporary:
            self.place(staged)
        self.put(staged.entry, supersedes=supersedes)

    def put(self, entry: SnapshotEntry, *, supersedes: str | None = None) -> None:
        """List `entry` in the manifest (replacing an entry of the same sha256), marking `supersedes` replaced."""
        with self._locked():
            entries = [e for e in self.entries() if e.sha256 != entry.sha256]
            if supersedes:
                entries = [replace(e, superseded_by=entry.sha256) if e.sha256 == supersedes else e for e in entries]
            entries.append(entry)
            self._write_manifest(entries)

    def remove_entries(self, sha256s: set[str]) -> None:
        """Drop entries from the manifest (their files stay: they are immutable and may be referenced again)."""
        with self._locked():
            self._write_manifest([e for e in self.entries() if e.sha256 not in sha256s])

    def leftovers(self) -> list[Path]:
        """Temporary files of processes that died (see is_leftover), anywhere in the store."""
        if not self.root.is_dir():
            return []
        now = time.time()
        found = []
        for pattern in (f"{STAGED_PREFIX}*", ".download-*", ".manifest-*", ".state-*"):
            found += [p for p in self.root.rglob(pattern) if p.is_file() and is_leftover(p, now)]
        return sorted(found)

    def file_of(self, entry: SnapshotEntry) -> Path:
        return self.root / entry.source

    def records_of(self, entry: SnapshotEntry) -> Path:
        return self.root / entry.records

    def discard(self, staged: StagedSnapshot, *, placed: bool = True) -> None:
        """Remove what a snapshot that will not be listed wrote: its temporary files and, unless the caller
        knows a stored edition has the same content (`placed=False`), the files it put in place."""
        for temporary, _ in staged.temporary:
            temporary.unlink(missing_ok=True)
        staged.temporary.clear()
        if placed:
            with self._locked():
                for path in staged.placed:
                    path.unlink(missing_ok=True)
        staged.placed.clear()

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
        descriptor, name = tempfile.mkstemp(dir=self.root, prefix=temporary_prefix(".manifest-"), suffix=".json")
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


def entry_paths(sha256: str, source_format: str) -> tuple[str, str]:
    """Where a file and its records are kept, relative to the store's root."""
    return f"sources/{sha256}.{_EXTENSIONS[source_format]}", f"records/{sha256}.jsonl"


def write_records_file(path: Path, records: tuple[Record, ...]) -> None:
    """Write records as JSON lines under a temporary name, then move them in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(), suffix=path.suffix)
    with os.fdopen(descriptor, "wb") as handle:
        _write_records(handle, records)
    os.replace(name, path)


def _write_records(handle, records: tuple[Record, ...]) -> None:  # type: ignore[no-untyped-def]
    for record in records:
        handle.write((json.dumps(record_to_dict(record), ensure_ascii=False) + "\n").encode("utf-8"))
