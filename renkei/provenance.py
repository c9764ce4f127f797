"""Where an edition came from: the source that offered it, the publisher's link and file, the HTTP validators,
when it was fetched, its content hash and the parser that read it.

Stored with the edition (the warehouse's `edition.source`, the snapshot manifest), shown in the run summary and
in every report's 出典 — so an analyst can always trace a figure back to the publisher's file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from renkei.normalise.eras import parse_as_of

TOKYO = ZoneInfo("Asia/Tokyo")
SOURCE_KINDS = ("folder", "url", "listing", "file")


@dataclass(frozen=True)
class SourceRecord:
    """The contract's edition `source` object (absent values None). `fetched_at` is ISO 8601 in UTC."""

    kind: str  # folder | url | listing | file
    location: str  # the folder, URL, listing page or file path the run was given
    final_url: str | None = None  # the edition's URL after redirects
    link_text: str | None = None  # what the listing page said around the link
    file_name: str | None = None  # the publisher's file name (Content-Disposition or the URL's last segment)
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None
    sha256: str | None = None
    parser_version: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SourceRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{k: (None if v is None else str(v)) for k, v in data.items() if k in known})  # type: ignore[arg-type]

    def completed(self, sha256: str, parser_version: str) -> SourceRecord:
        return replace(self, sha256=sha256, parser_version=parser_version)

    @property
    def fetched(self) -> datetime | None:
        return datetime.fromisoformat(self.fetched_at) if self.fetched_at else None

    @property
    def link_as_of(self) -> date | None:
        """The as-of date the listing page's link text announces, if it names one."""
        return parse_as_of(self.link_text) if self.link_text else None


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_source(path: Path) -> SourceRecord:
    """The source of a file given by its path (`renkei ingest`, a backfill's list), read now."""
    return SourceRecord(kind="file", location=str(path.resolve()), file_name=path.name, fetched_at=now_utc())


def fetched_at_text(source: SourceRecord) -> str:
    """'2026-04-01 10:00 JST / 2026-04-01 01:00 UTC' — when the file was fetched, in Tokyo time and UTC."""
    moment = source.fetched
    if moment is None:
        return "不明"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    tokyo, utc = moment.astimezone(TOKYO), moment.astimezone(UTC)
    return f"{tokyo:%Y-%m-%d %H:%M} JST / {utc:%Y-%m-%d %H:%M} UTC"


def source_warnings(source: SourceRecord | None, as_of: date) -> list[str]:
    """What disagrees between the source and the document: a link dated otherwise than the document's
    own as-of date (the page may link an old file, or the file may be mislabelled)."""
    if source is None:
        return []
    announced = source.link_as_of
    if announced is not None and announced != as_of:
        return [
            f"リンクの日付（{announced.isoformat()}）が文書の基準日（{as_of.isoformat()}）と一致しません: "
            f"「{source.link_text}」"
        ]
    return []


def source_lines(source: SourceRecord) -> list[tuple[str, str]]:
    """(label, value) pairs of what is known about a source, in Japanese, for reports and summaries."""
    kinds = {"folder": "フォルダ", "url": "URL", "listing": "掲載ページ", "file": "ファイル"}
    pairs = [("取得元", f"{kinds.get(source.kind, source.kind)} {source.location}")]
    for label, value in (
        ("掲載ページのリンク", source.link_text),
        ("ファイルの URL", source.final_url),
        ("公表ファイル名", source.file_name),
        ("Last-Modified", source.last_modified),
        ("ETag", source.etag),
    ):
        if value:
            pairs.append((label, value))
    pairs.append(("取得日時", fetched_at_text(source)))
    if source.sha256:
        pairs.append(("SHA-256", source.sha256))
    if source.parser_version:
        pairs.append(("パーサー", source.parser_version))
    return pairs
