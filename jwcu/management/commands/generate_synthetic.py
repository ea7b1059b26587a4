import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from jwcu.models import code_validator
from jwcu.tooling.synthetic import default_union_code, generate_union
from members.models import Union

# Room for the suffixes of the codes derived from the union's (``-cwc-ho-001``, ``-center-00001``).
MAX_UNION_CODE_LENGTH = 48


class Command(BaseCommand):
    help = (
        "Add a reproducible synthetic union of the given size for scale work: a central worker co-op, "
        "local worker co-ops, an older persons' co-op union that reports counts, head offices, business "
        "centers over the 47 prefectures, their annual figures, and the people with consents and inclusion "
        "records. The same seed gives the same data. Everything is written in one transaction; other "
        "writers of people and consents wait until it ends. The people, their consents and inclusion "
        "records are bulk-loaded with PostgreSQL COPY and have no history rows: this is scale test data, "
        "not a record of anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", required=True, metavar="N", help="Number of people (at least 1).")
        parser.add_argument(
            "--centers", required=True, metavar="M", help="Number of business centers (1 to the number of people)."
        )
        parser.add_argument("--seed", default="0", metavar="S", help="Random seed, a whole number ≥ 0 (default 0).")
        parser.add_argument("--union-code", metavar="CODE", help="Code of the new union (default synthetic-S).")

    def handle(self, *args, **options):
        members = _whole_number("members", options["members"], minimum=1)
        centers = _whole_number("centers", options["centers"], minimum=1)
        seed = _whole_number("seed", options["seed"], minimum=0)
        if centers > members:
            raise CommandError(f"--centers ({centers}) cannot exceed --members ({members}).")
        union_code = options["union_code"] or default_union_code(seed)
        _check_union_code(union_code)

        started = time.perf_counter()
        try:
            created = generate_union(members=members, centers=centers, seed=seed, union_code=union_code)
        except (ValidationError, DatabaseError) as error:
            raise CommandError(f"Nothing was written: {str(error).splitlines()[0]}") from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Union {created.union.code}: {created.societies} member societies, {created.head_offices} head "
            f"offices, {created.business_centers} business centers, {created.annual_figures} annual figures, "
            f"{created.members} people, {created.consents} consents, {created.inclusions} inclusion records "
            f"in {elapsed:.1f} s."
        )


def _whole_number(name: str, value, *, minimum: int) -> int:
    """Parsed here rather than by argparse, so that a bad value is one line on stderr, not a usage text."""
    try:
        number = int(str(value))
    except ValueError:
        raise CommandError(f"--{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise CommandError(f"--{name} must be at least {minimum}, not {number}.")
    return number


def _check_union_code(code: str) -> None:
    try:
        code_validator(code)
    except ValidationError:
        raise CommandError(f"--union-code {code!r} is not a code (lower-case letters, digits, hyphens).") from None
    if len(code) > MAX_UNION_CODE_LENGTH:
        raise CommandError(f"--union-code is longer than {MAX_UNION_CODE_LENGTH} characters.")
    if Union.objects.filter(code=code).exists():
        raise CommandError(f"A union with the code {code!r} already exists; choose another --union-code or --seed.")
