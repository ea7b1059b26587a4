"""Importing records from spreadsheets: CSV (UTF-8 with or without BOM, or Shift_JIS/CP932 as
Japanese Excel writes it) and XLSX, with English or Japanese headers.

A file is imported whole or not at all: every row is checked with the model's own rules, every
problem is reported (row, column, value, reason), and only a file without problems is written,
in one transaction, as upserts keyed by natural keys, with history channel "import". Rows are
read, checked and written in chunks, so memory stays bounded whatever the size of the file.
"""

import codecs
import csv
import datetime
import functools
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, reset_queries, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from jwcu import audit
from jwcu.services import records_copy_upsert

CHUNK_ROWS = 5_000
MAX_REPORTED_PROBLEMS = 1_000
SAMPLE_ROWS = 10  # the first rows of a file shown, with what importing them would do


@dataclass(frozen=True)
class Problem:
    row: int | None  # the spreadsheet's row number (the header is row 1); None for the file
    column: str
    value: str
    reason: str

    def __str__(self):
        where = _("row %(row)s") % {"row": self.row} if self.row else _("file")
        return f"{where}, {self.column or '-'}: {self.value!r}: {self.reason}"


class ImportRefused(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem], total: int):
        self.problems, self.total = problems, total
        super().__init__(_("%(count)s problem(s); nothing was imported.") % {"count": total})


@dataclass(frozen=True)
class Column:
    """One column of an import layout: the model field it fills, its English and Japanese
    headers, and how a cell's text becomes a value (raising ValueError with the reason)."""

    field: str
    header_ja: str
    parse: Callable[[str], object] = str
    required: bool = False
    example: str = ""

    @property
    def header_en(self) -> str:
        return self.field


@dataclass
class SampleRow:
    row: int
    state: str  # "created", "updated" or "unchanged"
    key: list[str]  # the record's natural key as codes (what its URL is made of)
    cells: list[str]  # the file's cells, in the order of Outcome.columns


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    columns: list[str] = field(default_factory=list)  # the file's headers that were read
    key_columns: list[int] = field(default_factory=list)  # the positions in columns of the natural key
    sample: list[SampleRow] = field(default_factory=list)  # the first SAMPLE_ROWS rows

    def add(self, counts: dict[str, int]):
        self.created += counts["created"]
        self.updated += counts["updated"]
        self.unchanged += counts["unchanged"]


# Cell parsers -------------------------------------------------------------------------------


def parse_date(text: str) -> datetime.date | None:
    """2015-04-01, 2015/4/1 (as Japanese Excel writes it) or an XLSX date."""
    if not text:
        return None
    parts = text.split(" ")[0].split("T")[0].replace("/", "-").split("-")
    try:
        year, month, day = (int(part) for part in parts)
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(_("not a date (YYYY-MM-DD)")) from None


def parse_int(text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text.replace(",", "").replace("¥", "").replace("円", ""))
    except ValueError:
        raise ValueError(_("not a whole number")) from None


def parse_decimal(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("not a number")) from None


def parse_choice(choices: type[models.Choices]) -> Callable[[str], str]:
    """Accepts a choice's code, or its label in English or Japanese."""
    aliases = {}
    for value, label in choices.choices:
        aliases[str(value).lower()] = value
        for language in ("en", "ja"):
            with translation.override(language):
                aliases[str(label).lower()] = value

    def parse(text: str) -> str:
        if not text:
            return ""
        try:
            return aliases[text.lower()]
        except KeyError:
            raise ValueError(
                _("not one of: %(choices)s") % {"choices": ", ".join(str(v) for v in choices.values)}
            ) from None

    return parse


# Reading ------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decoded_lines(binary: io.BufferedIOBase) -> Iterator[str]:
    """UTF-8 (BOM or not) if the file is UTF-8, else CP932 (Shift_JIS as Japanese Excel writes it)."""
    head = binary.read(1 << 16)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the end of the sample: that alone is no reason.
        if error.start < len(head) - 3:
            encoding = "cp932"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    chunk = head
    pending = ""
    while chunk:
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        yield from (line + "\n" for line in lines)
        chunk = binary.read(1 << 16)
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cell texts) of every row, the header first."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for number, values in enumerate(workbook.active.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]
        finally:
            workbook.close()
        return
    with path.open("rb") as binary:
        for number, cells in enumerate(csv.reader(_decoded_lines(binary)), start=1):
            yield number, [cell.strip() for cell in cells]


def count_rows(path: Path) -> int | None:
    """About how many rows follow the header, found cheaply before reading them: the lines of a
    CSV (a cell holding a line break counts twice, blank lines count), or the size an XLSX sheet
    states; None when it cannot be told. For a progress bar, not for the outcome."""
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True)
            try:
                rows = workbook.active.max_row
            finally:
                workbook.close()
            return max(rows - 1, 0) if rows else None
        lines, last = 0, b"\n"
        with path.open("rb") as binary:
            while block := binary.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        return max(lines + (last != b"\n") - 1, 0)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


# Importing ----------------------------------------------------------------------------------


@dataclass
class Layout:
    """What a file of one kind of record holds and how its rows become records."""

    model: type[models.Model]
    columns: list[Column]
    key: tuple[str, ...]
    # Turns parsed cell values into field values, resolving codes into records; an unknown
    # code is reported with problem(column, reason) and left out.
    resolve: Callable[[dict, Callable[[str, str], None]], dict]
    existing: Callable[[list[dict]], models.QuerySet]
    after_chunk: Callable[[list[dict]], None] | None = None
    # Rules that need the stored records of a whole chunk (read in one query, not one per row):
    # chunk_rules(rows, problem) reports each broken one with problem(row number, column, value,
    # reason) and returns what to write before the chunk's records (say, the periods of members
    # who move), or None. ``rows`` are (row number, field values) of the rows that passed.
    chunk_rules: Callable[[list[tuple[int, dict]], Callable[[int, str, str, str], None]], Callable | None] | None = None
    skip_fields: tuple[str, ...] = field(default=())

    def header_map(self, header: list[str]) -> tuple[dict[int, Column], list[Problem]]:
        by_name = {c.header_en.lower(): c for c in self.columns} | {c.header_ja: c for c in self.columns}
        found, problems = {}, []
        for index, name in enumerate(header):
            if not name:
                continue
            column = by_name.get(name.lower()) or by_name.get(name)
            if column is None:
                problems.append(Problem(1, name, name, _("unknown column")))
            else:
                found[index] = column
        present = {c.field for c in found.values()}
        for column in self.columns:
            if column.required and column.field not in present:
                problems.append(Problem(1, column.header_en, "", _("required column is missing")))
        return found, problems


def import_file(
    path: Path, layout: Layout, *, dry_run: bool = False, user=None, progress: Callable[[int], None] | None = None
) -> Outcome:
    """Import ``path`` whole, or raise ImportRefused listing its problems and import nothing.

    ``progress(rows)`` is called after each chunk of rows has been checked (and written), with
    the number of rows in the chunk: a terminal's bar, or an import job's row (jwcu.services).
    """
    outcome = Outcome(dry_run=dry_run)
    problems: list[Problem] = []
    total_problems = 0

    def refuse(problem: Problem):
        nonlocal total_problems
        total_problems += 1
        if len(problems) < MAX_REPORTED_PROBLEMS:
            problems.append(problem)

    try:
        rows = read_rows(path)
        _number, header = next(rows, (1, []))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, csv.Error) as error:
        raise ImportRefused(
            [Problem(None, "", path.name, _("the file cannot be read: %(error)s") % {"error": error})], 1
        ) from error
    columns, header_problems = layout.header_map(header)
    if header_problems or not columns:
        raise ImportRefused(header_problems or [Problem(1, "", "", _("the file has no header row"))], 1)
    outcome.columns = [header[index] for index in columns]
    outcome.key_columns = [at for at, column in enumerate(columns.values()) if column.field in layout.key]

    seen_keys: dict[tuple, set] = {}
    defaults_checked: set[str] = set()
    with audit.acting(channel=audit.Channel.IMPORT, user=user), transaction.atomic():
        try:
            for chunk in _chunks(rows, CHUNK_ROWS):
                valid, sample = [], []
                for number, cells in chunk:
                    outcome.rows += 1
                    record = _checked_row(number, cells, columns, layout, refuse, seen_keys, defaults_checked)
                    if record is not None:
                        valid.append((number, record))
                        if len(outcome.sample) + len(sample) < SAMPLE_ROWS:
                            sample.append((number, record, [cells[i] if i < len(cells) else "" for i in columns]))
                write_first = None
                if layout.chunk_rules and valid:
                    write_first = layout.chunk_rules(
                        valid, lambda number, column, value, reason: refuse(Problem(number, column, value, reason))
                    )
                if not total_problems and valid:  # else keep checking, to report every problem
                    if write_first:
                        write_first()
                    written = _write_chunk(valid, layout, outcome)
                    outcome.sample += _sample_rows(sample, layout, written)
                    reset_queries()  # with DEBUG on, Django would keep every statement of the file
                if progress:
                    progress(len(chunk))
        except (UnicodeDecodeError, csv.Error) as error:
            refuse(Problem(None, "", "", _("the file cannot be read: %(error)s") % {"error": error}))
        if total_problems:
            transaction.set_rollback(True)
            raise ImportRefused(problems, total_problems)
        if dry_run:
            transaction.set_rollback(True)
    return outcome


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        if not any(row[1]):
            continue
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _checked_row(
    number, cells, columns: dict[int, Column], layout: Layout, refuse, seen_keys: dict, defaults_checked: set
) -> dict | None:
    """The row's field values if it passes every rule; else None, every problem refused."""
    parsed, failed = {}, set()
    for index, column in columns.items():
        text = cells[index] if index < len(cells) else ""
        if "\x00" in text:  # PostgreSQL cannot store it in text
            refuse(Problem(number, column.header_en, text.replace("\x00", "\ufffd"), _("contains a null character")))
            failed.add(column.field)
            continue
        if column.required and not text:
            refuse(Problem(number, column.header_en, text, _("required")))
            failed.add(column.field)
            continue
        try:
            value = column.parse(text)
        except ValueError as error:
            refuse(Problem(number, column.header_en, text, str(error)))
            failed.add(column.field)
            continue
        if value is None and not _nullable(layout.model, column.field):
            continue  # an empty cell keeps the stored value, or the field's default
        parsed[column.field] = value
    cells_by_field = {column.field: (cells[i] if i < len(cells) else "") for i, column in columns.items()}

    def problem(column: str, reason: str):
        refuse(Problem(number, column, cells_by_field.get(column, ""), reason))
        failed.add(column)

    values = layout.resolve(parsed, problem)
    # The other rules are checked too when a cell failed, so that every problem is reported.
    instance = layout.model(**{k: v for k, v in values.items() if k not in layout.skip_fields})
    # A field the row leaves empty keeps its stored value, or gets its default: the same default
    # on every row, so it is checked on the first row that leaves it empty, not on each.
    unfilled = _field_names(layout.model) - values.keys()
    skipped = failed | _relation_names(layout.model) | (unfilled & defaults_checked)
    errors = {}
    for check in (lambda: instance.clean_fields(exclude=skipped), instance.clean, instance.validate_periods):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    errors = ValidationError(errors).message_dict if errors else {}
    for name, messages in errors.items():
        if name in failed:
            continue
        for message in messages:
            refuse(Problem(number, name, cells_by_field.get(name, _cell(values.get(name))), message))
    defaults_checked.update(unfilled - errors.keys())
    if failed or errors:
        return None
    key = tuple(getattr(v, "pk", v) for v in (values[k] for k in layout.key))
    # the keys seen, as their last part by the rest (a society's member numbers): a million rows'
    # keys then hold a million strings, not as many tuples besides
    *rest, last = key
    seen = seen_keys.setdefault(tuple(rest), set())
    if last in seen:
        refuse(Problem(number, layout.key[-1], str(last), _("appears twice in the file")))
        return None
    seen.add(last)
    return values


@functools.cache
def _field_names(model) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields)


@functools.cache
def _relation_names(model) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields if f.is_relation)


def _nullable(model, name: str) -> bool:
    try:
        return model._meta.get_field(name).null
    except Exception:  # a column that is not a field of its own (codes resolved later)
        return True


def _cell(value) -> str:
    if value is None:
        return ""
    return str(getattr(value, "code", value))


def _write_chunk(valid: list[tuple[int, dict]], layout: Layout, outcome: Outcome) -> dict[tuple, str]:
    """Upsert the chunk's rows; returns what was written, by key (records_copy_upsert)."""
    rows = [values for _number, values in valid]
    fields_rows = [{k: v for k, v in row.items() if k not in layout.skip_fields} for row in rows]
    counts = records_copy_upsert(layout.model, fields_rows, key=layout.key)
    outcome.add(counts)
    if layout.after_chunk:
        layout.after_chunk(rows)
    return counts["written"]


def _sample_rows(sample: list[tuple[int, dict, list[str]]], layout: Layout, written: dict) -> list[SampleRow]:
    states = {"+": "created", "~": "updated"}
    return [
        SampleRow(
            row=number,
            state=states.get(written.get(tuple(getattr(record[k], "pk", record[k]) for k in layout.key)), "unchanged"),
            key=[_cell(record[k]) for k in layout.key],
            cells=cells,
        )
        for number, record, cells in sample
    ]


# Templates and the command line ------------------------------------------------------------


def write_template(path: Path, layout: Layout, *, language: str = "en", example: dict | None = None) -> None:
    """The headers and one example row that imports as it stands, as CSV (UTF-8 with a BOM, as
    Excel opens it) or XLSX, by the file's extension."""
    header = [c.header_ja if language == "ja" else c.header_en for c in layout.columns]
    row = [(example or {}).get(c.field, c.example) for c in layout.columns]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(header)
        sheet.append(row)
        sheet.freeze_panes = "A2"
        workbook.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerow(row)


class ImportCommand(BaseCommand):
    """``manage.py import_… FILE [--dry-run]`` and ``--template FILE``: subclasses give the layout."""

    record_name = "records"

    def layout(self, options) -> Layout:
        raise NotImplementedError

    def template_example(self, options) -> dict:
        return {}

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV (UTF-8 or Shift_JIS) or XLSX file to import.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, but write nothing.")
        parser.add_argument("--template", metavar="FILE", help="Write a template (.csv or .xlsx) and exit.")
        parser.add_argument("--language", choices=["en", "ja"], default="en", help="Headers of the template.")

    def handle(self, *args, file, dry_run, template, language, **options):
        layout = self.layout(options)
        if template:
            write_template(Path(template), layout, language=language, example=self.template_example(options))
            self.stdout.write(f"Template written to {template}.")
            return
        if not file:
            raise CommandError("Give the FILE to import (or --template FILE).")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        with tqdm(total=count_rows(path), unit=" rows", desc=path.name, disable=None, file=self.stderr._out) as bar:
            try:
                outcome = import_file(path, layout, dry_run=dry_run, progress=bar.update)
            except ImportRefused as refused:
                bar.close()
                for problem in refused.problems:
                    self.stderr.write(str(problem))
                if refused.total > len(refused.problems):
                    self.stderr.write(f"… and {refused.total - len(refused.problems)} more.")
                raise CommandError(str(refused)) from None
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {outcome.rows} {self.record_name}: {outcome.created} created, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged."
        )
