"""Mapping between the core's records and the warehouse's rows (the core never sees a Session)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from renkei.records import ParseWarning, Partner, Provenance, Record, Start, Ward


def version_content(record: Record) -> dict[str, Any]:
    """What a program version stores: everything of a record that is not about its place in one edition."""
    return {
        "ward_code": record.ward.code,
        "category": record.category,
        "name": record.name,
        "name_key": record.name_key,
        "body": record.body,
        "content": record.content,
        "start_text": record.start.text,
        "start_years": list(record.start.fiscal_years),
    }


def partner_values(partner: Partner, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "text": partner.text,
        "name": partner.name,
        "code": partner.code,
        "kind": partner.kind,
        "start_fiscal_year": partner.start_fiscal_year,
        "correction": partner.correction,
    }


def content_hash(record: Record) -> str:
    """sha256 of a version's exact content: the same hash means no new version row."""
    payload = {
        **version_content(record),
        "partners": [partner_values(p, i) for i, p in enumerate(record.partners)],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def provenance_values(provenance: Provenance) -> dict[str, Any]:
    return {
        "lines": list(provenance.lines),
        "pages": list(provenance.pages),
        "rows": list(provenance.rows),
        "sheet": provenance.sheet,
    }


def provenance_from(row: Any) -> Provenance:
    return Provenance(lines=tuple(row.lines), pages=tuple(row.pages), rows=tuple(row.rows), sheet=row.sheet)


def record_from_rows(
    as_of: date,
    ward: Ward,
    entry: Any,
    version: Any,
    partners: list[Any],
    issues: list[Any],
) -> Record:
    """Rebuild the contract record of one entry from its rows."""
    return Record(
        edition=as_of,
        ward=ward,
        seq=entry.seq,
        category=version.category,
        name=version.name,
        name_key=version.name_key,
        body=version.body,
        content=version.content,
        start=Start(text=version.start_text, fiscal_years=tuple(version.start_years)),
        partners=tuple(
            Partner(
                text=p.text,
                name=p.name,
                code=p.code,
                kind=p.kind,
                start_fiscal_year=p.start_fiscal_year,
                correction=p.correction,
            )
            for p in partners
        ),
        provenance=provenance_from(entry),
        warnings=tuple(ParseWarning(kind=i.kind, message=i.message, provenance=provenance_from(i)) for i in issues),
    )
