"""Named exceptions for input the ETL cannot use.

Readers raise these with a reason written for the analyst (what is wrong and what to do about it);
`etl.sources.read_corpus` turns each one into a `Problem` so that one bad file never stops a run.
"""

from __future__ import annotations


class SourceError(Exception):
    """A file (or one record of it) that cannot be loaded. `reason` is shown to analysts as is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnreadableFileError(SourceError):
    """The file cannot be opened: a folder, a broken link, no permission, an I/O error."""


class FileTooLargeError(SourceError):
    """The file is over the configured size limit (`max_file_bytes`, env `IM_MAX_FILE_BYTES`)."""


class UnsupportedFormatError(SourceError):
    """The file's extension is not one of the accepted article formats."""


class EmptyFileError(SourceError):
    """The file (or record) holds no text, or only whitespace."""


class BinaryFileError(SourceError):
    """The file is not text at all (an image, an archive, a Word document renamed .txt ...)."""


class UndecodableError(SourceError):
    """The file looks like text but its character encoding could not be worked out."""


class MalformedRecordError(SourceError):
    """One record of a .csv/.jsonl file is broken; the file's other records still load."""
