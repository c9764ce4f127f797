"""renkei: read, version and compare editions of 各特別区と全国市町村等連携事業一覧."""

from renkei.errors import EditionReadError, RenkeiError
from renkei.parse.edition import read_edition
from renkei.records import (
    Edition,
    ParseWarning,
    Partner,
    Provenance,
    Record,
    Start,
    Ward,
    record_from_dict,
    record_to_dict,
)

__all__ = [
    "Edition",
    "EditionReadError",
    "ParseWarning",
    "Partner",
    "Provenance",
    "Record",
    "RenkeiError",
    "Start",
    "Ward",
    "read_edition",
    "record_from_dict",
    "record_to_dict",
]
