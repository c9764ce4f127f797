"""Keeping the warehouse's municipality table in step with the bundled reference list."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Municipality
from renkei.reference import Place


def sync_municipalities(session: Session, places: tuple[Place, ...]) -> tuple[int, int, int]:
    """Upsert every listed place; codes no longer listed stay (editions refer to them) but become unlisted.

    Returns (added, updated, unlisted).
    """
    existing = {m.code: m for m in session.scalars(select(Municipality))}
    added = updated = 0
    for place in places:
        values = {
            "prefecture": place.prefecture,
            "city": place.city,
            "prefecture_kana": place.prefecture_kana,
            "city_kana": place.city_kana,
            "listed": True,
        }
        row = existing.get(place.code)
        if row is None:
            session.add(Municipality(code=place.code, **values))
            added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            updated += 1
    gone = [code for code in existing if code not in {p.code for p in places} and existing[code].listed]
    if gone:
        session.execute(update(Municipality).where(Municipality.code.in_(gone)).values(listed=False))
    return added, updated, len(gone)
