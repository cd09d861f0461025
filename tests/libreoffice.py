"""Support: open files with a real spreadsheet engine. LibreOffice headless converts a download to
OpenDocument, and the cells are read back from its content.xml with their types (float, date, boolean,
string), their stored values and the text LibreOffice displays. Missing soffice skips (fails under CI)."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import IN_CI

# Comma, double quote, character set 0 (LibreOffice detects it: a byte order mark says UTF-8), from line 1.
CSV_IMPORT = "CSV:44,34,0,1"
NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
VALUE_ATTRIBUTES = {"float": "value", "currency": "value", "date": "date-value", "boolean": "boolean-value"}


def soffice() -> str:
    """The soffice binary, or a skip naming the package (a failure under CI=true)."""
    path = shutil.which("soffice")
    if path is None:
        message = "LibreOffice is not installed: apt-get install libreoffice-calc-nogui (soffice)"
        if IN_CI:
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    return path


@dataclass(frozen=True)
class Cell:
    type: str  # the OpenDocument value type: string, float, currency, date, boolean ("" when empty)
    value: str  # the stored value (a number, an ISO date-time, true/false) or the string itself
    text: str  # what LibreOffice displays


def open_in_libreoffice(files: list[Path], workdir: Path) -> dict[str, list[list[Cell]]]:
    """Each file (all CSV or all XLSX) converted to ODS by LibreOffice in one run; its rows by file name."""
    command = [soffice(), f"-env:UserInstallation={(workdir / 'profile').as_uri()}", "--headless"]
    if files[0].suffix == ".csv":
        command.append(f"--infilter={CSV_IMPORT}")
    outdir = workdir / "ods"
    command += ["--convert-to", "ods", "--outdir", str(outdir), *map(str, files)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return {path.name: ods_rows(outdir / f"{path.stem}.ods") for path in files}


def ods_rows(path: Path) -> list[list[Cell]]:
    """The first sheet's non-empty rows, trailing empty cells dropped."""
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("content.xml"))  # noqa: S314 - LibreOffice wrote it from our own file
    sheet = root.find(".//table:table", NS)
    assert sheet is not None, f"{path} has no sheet"
    rows = [_row(row) for row in sheet.iter(f"{{{NS['table']}}}table-row")]
    return [row for row in rows if row]


def _row(element: ET.Element) -> list[Cell]:
    cells: list[Cell] = []
    for cell in element.findall("table:table-cell", NS):
        value_type = cell.get(f"{{{NS['office']}}}value-type", "")
        text = "\n".join("".join(p.itertext()) for p in cell.findall("text:p", NS))
        attribute = VALUE_ATTRIBUTES.get(value_type)
        value = cell.get(f"{{{NS['office']}}}{attribute}", "") if attribute else text
        repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
        cells += [Cell(value_type, value, text)] * (repeat if value_type else min(repeat, 64))  # trailing blanks: 1000s
    while cells and not cells[-1].type:
        cells.pop()
    return cells
