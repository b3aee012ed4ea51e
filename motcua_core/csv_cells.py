"""CSV that a spreadsheet opens as data, never as formulas: a text cell starting with `= + - @`, a tab or a
carriage return (an applicant's address typed as `=HYPERLINK(…)`) gets a leading apostrophe, which Excel
and LibreOffice show as text. Numbers stay numbers. Every CSV the hub exports is written through here."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer with every cell passed through `cell`."""

    def __init__(self, out: IO[str]) -> None:
        self._w = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: IO[str]) -> SafeWriter:
    return SafeWriter(out)
