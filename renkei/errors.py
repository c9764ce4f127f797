"""Errors raised by renkei's core; the CLI turns each into one line on stderr and exit status 2."""


class RenkeiError(Exception):
    """Base class for every error renkei reports to its user."""


class EditionReadError(RenkeiError):
    """An edition file cannot be read or is not an edition of the table."""


class ReferenceDataError(RenkeiError):
    """The municipality reference list is missing or malformed."""


class UnknownNameError(RenkeiError):
    """A ward or municipality name given by the user matches nothing (or more than one place)."""
