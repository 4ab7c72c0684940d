"""Errors that name a file and say why it could not be ingested."""


class IngestError(Exception):
    """A file that cannot be ingested; the message says why, in words a user can act on.

    The pipeline catches it per file, reports it by name and goes on with the rest of the batch.
    """
