"""The versioned warehouse (SQLAlchemy 2 typed ORM).

Every edition is kept exactly; a program's content is stored once per *version* — a run of consecutive
editions in which it did not change:

- `edition`: one row per ingested file (as-of date and sha256 unique).
- `program`: the identity that lives across editions (its ward, the first and last edition it was seen in;
  `last_edition_id` is NULL while the program is in the newest edition).
- `program_version`: content valid from one edition up to (not including) `valid_to_edition_id`; NULL while
  current. An unchanged program gets no new row when an edition arrives: its open version just continues.
- `version_partner`: the partners of a version, in order.
- `version_category_tag`: the canonical category tags of a version (for SQL; records derive them anew).
- `edition_entry`: where each version stands in each edition — its position, seq and provenance (line
  numbers move from edition to edition even when nothing changed).
- `quality_issue`: the parser's warnings per edition (and per entry).
- `change_event`: what changed between consecutive editions.
- `ingest_run`: an audit row per ingest run.
- `municipality`: the reference list (loaded by a data migration).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Alembic's naming convention: every constraint and index has a name a migration can refer to.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
code6 = Annotated[str, mapped_column(String(6))]
timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True))]
json_list = Annotated[list[Any], mapped_column(JSON, default=list)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Municipality(Base):
    """全国地方公共団体コード: prefectures (city NULL) and municipalities."""

    __tablename__ = "municipality"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    prefecture: Mapped[str] = mapped_column(String(8))
    city: Mapped[str | None] = mapped_column(String(32))
    prefecture_kana: Mapped[str] = mapped_column(String(32), default="")
    city_kana: Mapped[str] = mapped_column(String(64), default="")
    listed: Mapped[bool] = mapped_column(default=True)  # False once a refreshed list no longer has it


class Edition(Base):
    __tablename__ = "edition"
    __table_args__ = (UniqueConstraint("as_of"), UniqueConstraint("sha256"))

    id: Mapped[intpk]
    as_of: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    ingested_at: Mapped[timestamp]
    record_count: Mapped[int] = mapped_column(Integer)
    parser_version: Mapped[str] = mapped_column(String(32))
    # where the file came from (renkei.provenance.SourceRecord as a dict); NULL for editions stored before 0003
    source: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the source objects of the files a corrected edition replaced, oldest first
    supersedes: Mapped[list[Any] | None] = mapped_column(JSON)


class Program(Base):
    __tablename__ = "program"
    __table_args__ = (Index(None, "ward_code"),)

    id: Mapped[intpk]
    ward_code: Mapped[code6]
    first_edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    last_edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id"))


class ProgramVersion(Base):
    __tablename__ = "program_version"
    __table_args__ = (
        UniqueConstraint("program_id", "valid_from_edition_id"),
        Index(None, "valid_from_edition_id"),
        Index(None, "valid_to_edition_id"),
        Index(None, "ward_code", "name_key"),
    )

    id: Mapped[intpk]
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    valid_from_edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    valid_to_edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id"))
    ward_code: Mapped[code6]
    category: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    start_text: Mapped[str] = mapped_column(Text)
    start_years: Mapped[json_list]
    # The earliest of start_years, as a plain column so SQL (the views) can use it on SQLite and PostgreSQL.
    first_start_year: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))


class VersionPartner(Base):
    __tablename__ = "version_partner"
    __table_args__ = (UniqueConstraint("version_id", "position"), Index(None, "code"))

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("program_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(16))
    start_fiscal_year: Mapped[int | None] = mapped_column(Integer)
    correction: Mapped[str | None] = mapped_column(Text)


class VersionCategoryTag(Base):
    """The canonical category tags of a version (renkei.normalise.categories), one row each, for SQL."""

    __tablename__ = "version_category_tag"
    __table_args__ = (UniqueConstraint("version_id", "position"), Index(None, "tag"))

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("program_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(Text)


class EditionEntry(Base):
    """A version as it stands in one edition: position, seq and provenance."""

    __tablename__ = "edition_entry"
    __table_args__ = (
        UniqueConstraint("edition_id", "position"),
        UniqueConstraint("edition_id", "ward_code", "seq"),
        Index(None, "program_id"),
        Index(None, "version_id"),
    )

    id: Mapped[intpk]
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("program_version.id"))
    ward_code: Mapped[code6]
    seq: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    lines: Mapped[json_list]
    pages: Mapped[json_list]
    rows: Mapped[json_list]
    sheet: Mapped[str | None] = mapped_column(Text)


class QualityIssue(Base):
    __tablename__ = "quality_issue"
    __table_args__ = (UniqueConstraint("edition_id", "position"), Index(None, "entry_id"))

    id: Mapped[intpk]
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("edition_entry.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    lines: Mapped[json_list]
    pages: Mapped[json_list]
    rows: Mapped[json_list]
    sheet: Mapped[str | None] = mapped_column(Text)


class ChangeEvent(Base):
    """One change between two chronologically adjacent editions (see contracts: change events)."""

    __tablename__ = "change_event"
    __table_args__ = (
        UniqueConstraint("to_edition_id", "position"),
        Index(None, "from_edition_id"),
        Index(None, "ward_code"),
        Index(None, "partner_code"),
    )

    id: Mapped[intpk]
    from_edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    to_edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    position: Mapped[int] = mapped_column(Integer)
    ward_code: Mapped[code6]
    kind: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"))
    program_name: Mapped[str | None] = mapped_column(Text)
    program_name_key: Mapped[str | None] = mapped_column(Text)
    previous_name: Mapped[str | None] = mapped_column(Text)
    partner_code: Mapped[str | None] = mapped_column(String(6))
    partner_name: Mapped[str | None] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(16))
    old: Mapped[Any | None] = mapped_column(JSON)
    new: Mapped[Any | None] = mapped_column(JSON)
    confidence: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class IngestRun(Base):
    __tablename__ = "ingest_run"

    id: Mapped[intpk]
    started_at: Mapped[timestamp]
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # succeeded | failed
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    as_of: Mapped[date | None] = mapped_column(Date)
    error: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
