"""The project's exceptions: one base class and its few children."""


class KilSearchError(Exception):
    """Base class for errors a user can act on."""


class ExtractionError(KilSearchError):
    """A file could not be read; the message is the reason shown to staff."""


class CatalogError(KilSearchError):
    """The corpus catalogue has a bad entry; the message names the file and line."""


class IndexBusyError(KilSearchError):
    """Another process holds the index write lock."""

    def __init__(self, message: str = "the index is being updated by another process; try again later"):
        super().__init__(message)


class IndexMissingError(KilSearchError):
    """No index has been built yet."""
