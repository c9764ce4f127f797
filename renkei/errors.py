"""Errors raised by renkei's core; the CLI turns each into one line on stderr and exit status 2."""


class RenkeiError(Exception):
    """Base class for every error renkei reports to its user (exit status 2 unless the class says otherwise)."""

    exit_code = 2


class EditionReadError(RenkeiError):
    """An edition file cannot be read or is not an edition of the table."""


class ReferenceDataError(RenkeiError):
    """The municipality reference list is missing or malformed."""


class UnknownNameError(RenkeiError):
    """A ward or municipality name given by the user matches nothing (or more than one place)."""


class EditionConflictError(RenkeiError):
    """An edition with the same as-of date but different content is already stored."""


class UnknownEditionError(RenkeiError):
    """No ingested edition has the requested as-of date."""


class StoreError(RenkeiError):
    """The warehouse or the snapshot store cannot be used (unreachable, locked, schema too old)."""

    exit_code = 1


class SchemaTooOldError(StoreError):
    """The database schema is older than this version of renkei; run `renkei db upgrade`."""

    exit_code = 2


class SchemaTooNewError(StoreError):
    """The database schema is at a revision this version of renkei does not know; upgrade renkei."""

    exit_code = 2


class SettingsError(RenkeiError):
    """A setting (for example a RENKEI_* environment variable) has a value renkei cannot use."""
