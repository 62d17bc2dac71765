"""What every format reader returns, whatever the file's format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from etl.model import Problem
from etl.sources.metadata import RecordDraft


@dataclass
class FormatResult:
    """What a per-format reader returns: the records it could read and the problems it found."""

    drafts: list[RecordDraft] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# A reader takes a file's decoded text and its relative path (for problems).
FormatReader = Callable[[str, str], FormatResult]
