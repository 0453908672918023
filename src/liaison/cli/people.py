"""liaison people: import officers' records from CSV and export what a named user may see.

The command acts as a named user (`--as`), with that user's roles and clearance: the built-in
system principal has no clearance, and labelled records are denied by default.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.actions.people import do_create_person, do_set_language, do_set_person_clearance
from liaison.cli.common import fail, open_node
from liaison.domain.accounts import Principal, normalize_username
from liaison.domain.clearances import NationalClearance
from liaison.domain.errors import LiaisonError
from liaison.domain.languages import LanguageProfile, normalize_language
from liaison.domain.nations import normalize_nation
from liaison.domain.ranks import RankCode
from liaison.queries.organization import get_office
from liaison.queries.pagination import MAX_LIMIT
from liaison.queries.people import list_people
from liaison.security import Label, LabelError, label_from_json
from liaison.store.models import Person, PersonLanguage, User

app = typer.Typer(help="People: officers' records.", no_args_is_help=True)

MAX_BYTES = 10 * 1024 * 1024
REQUIRED = ("family_name", "given_names", "rank_code", "rank_title", "service", "nation")
COLUMNS = (
    *REQUIRED,
    "email",
    "phone",
    "clearance_policy",
    "clearance_level",
    "clearance_special",
    "clearance_issued",
    "clearance_expires",
    "languages",
)
OPTIONAL = frozenset(COLUMNS) - set(REQUIRED) - {"email", "phone"}

AsUser = typer.Option(..., "--as", help="the username to act as (their roles and clearance)")


def acting_principal(session: Session, username: str) -> Principal:
    """The principal of an active user, with their clearance; anything else is one line."""
    try:
        name = normalize_username(username)
    except ValueError:
        raise fail(f"no active user {username!r}") from None
    user = session.scalars(select(User).where(User.username == name)).one_or_none()
    if user is None or not user.is_active:
        raise fail(f"no active user {username!r}")
    return user.principal()


# --- import -----------------------------------------------------------------------------------


@dataclass
class Row:
    """One checked CSV row, ready for the actions."""

    line: int
    fields: dict[str, str]
    clearance: NationalClearance | None = None
    languages: list[tuple[str, str]] = field(default_factory=list)


class Refused(Exception):
    """Some rows were refused: the unit of work rolls back."""


def _read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(first line number, row) for each data row; a bad file is one line."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise fail(f"{path}: {size} bytes, more than {MAX_BYTES}")
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise fail(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise fail(f"{path}: more than {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise fail(f"{path}: not UTF-8 (byte {error.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown:
        problems = [f"missing column {name}" for name in missing]
        problems += [f"unknown column {name!r}" for name in unknown]
        raise fail(f"{path} line 1: {'; '.join(problems)}")
    reader.fieldnames = header
    start = reader.line_num + 1
    try:
        for raw in reader:
            if None in raw:
                yield start, {"": "too many fields"}
            else:
                yield start, {key: (value or "").strip() for key, value in raw.items()}
            start = reader.line_num + 1
    except csv.Error as error:
        raise fail(f"{path} line {reader.line_num}: {error}") from None


def _check(line: int, values: dict[str, str]) -> tuple[Row | None, list[str]]:
    """The row, or each problem found in it (all of them), as `line N: field: reason`."""
    problems: list[str] = []

    def bad(name: str, reason: str) -> None:
        problems.append(f"line {line}: {name}: {reason}")

    if "" in values:
        bad("row", values[""])
        return None, problems
    for name in REQUIRED:
        if not values.get(name):
            bad(name, "required")
    if values.get("rank_code"):
        try:
            RankCode.parse(values["rank_code"])
        except ValueError as error:
            bad("rank_code", str(error))
    if values.get("nation"):
        try:
            normalize_nation(values["nation"])
        except ValueError as error:
            bad("nation", str(error))
    dates: dict[str, date | None] = {}
    for name in ("clearance_issued", "clearance_expires"):
        dates[name] = None
        if values.get(name):
            try:
                dates[name] = date.fromisoformat(values[name])
            except ValueError:
                bad(name, f"not a date (YYYY-MM-DD): {values[name]!r}")
    clearance = None
    policy, level = values.get("clearance_policy", ""), values.get("clearance_level", "")
    given = [name for name in OPTIONAL - {"languages"} if values.get(name)]
    if given and not (policy and level):
        bad("clearance_policy" if not policy else "clearance_level", "required with a clearance")
    elif given:
        special = frozenset(s.strip() for s in values.get("clearance_special", "").split(";"))
        clearance = NationalClearance(
            policy,
            level,
            special - {""},
            dates["clearance_issued"],
            dates["clearance_expires"],
        )
    languages: list[tuple[str, str]] = []
    for item in filter(None, (part.strip() for part in values.get("languages", "").split(";"))):
        code, equals, profile = item.partition("=")
        if not equals:
            bad("languages", f"{item!r} is not language=profile, e.g. fra=3+/3/3/2")
            continue
        try:
            LanguageProfile.parse(profile.strip())
            languages.append((normalize_language(code.strip()), profile.strip()))
        except ValueError as error:
            bad("languages", str(error))
    if problems:
        return None, problems
    return Row(line, values, clearance, languages), []


def _write(
    session: Session,
    actor: Principal,
    rows: list[Row],
    office_id: uuid.UUID | None,
    label: Label | None,
    origin: str,
) -> list[str]:
    """Create every row through the actions; each refused row is one problem line."""
    problems: list[str] = []
    for row in rows:
        values = row.fields
        try:
            person = do_create_person(
                session,
                actor,
                family_name=values["family_name"],
                given_names=values["given_names"],
                rank_code=values["rank_code"],
                rank_title=values["rank_title"],
                service=values["service"],
                nation=values["nation"],
                email=values.get("email") or None,
                phone=values.get("phone") or None,
                office_id=office_id,
                label=label,
                origin=origin,
            )
            if row.clearance is not None:
                do_set_person_clearance(session, actor, person.id, row.clearance)
            for language, profile in row.languages:
                do_set_language(session, actor, person.id, language, profile)
        except LiaisonError as error:
            name = getattr(error, "field", None)
            problems.append(f"line {row.line}: {name + ': ' if name else ''}{error}")
    return problems


@app.command("import")
def import_(
    csv_file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    username: str = AsUser,
    office: uuid.UUID | None = typer.Option(None, help="the office that keeps the records"),
    label_file: Path | None = typer.Option(
        None,
        "--label",
        exists=True,
        dir_okay=False,
        help="a label (JSON) for the records, instead of the office's default label",
    ),
) -> None:
    """Import people from a CSV file (UTF-8, a BOM accepted, at most 10 MB): all or nothing.

    Columns, by name in the header line: family_name, given_names, rank_code (STANAG 2116,
    e.g. OF-4), rank_title, service, nation (ISO 3166 alpha-3), and optionally email, phone,
    clearance_policy, clearance_level, clearance_special (separated by semicolons),
    clearance_issued and clearance_expires (YYYY-MM-DD), languages (ISO 639 code=STANAG 6001
    profile, separated by semicolons, e.g. fra=3+/3/3/2;eng=4/4/4/4).

    Every row is checked first; each bad row is reported with its line number and field, and
    then nothing is imported.
    """
    if office is None and label_file is None:
        raise fail("give --office (its default label applies) or --label")
    label = None
    if label_file is not None:
        try:
            label = label_from_json(label_file.read_bytes())
        except (LabelError, OSError) as error:
            raise fail(f"invalid label {label_file}: {error}") from None
    rows: list[Row] = []
    problems: list[str] = []
    for line, values in _read_rows(csv_file):
        row, found = _check(line, values)
        problems += found
        if row is not None:
            rows.append(row)
    with open_node() as node:
        try:
            with node.db.writing() as session:
                actor = acting_principal(session, username)
                if office is not None:
                    get_office(session, actor, office)  # one line if unseen or missing
                if not problems:  # then the rules only the actions know
                    problems = _write(session, actor, rows, office, label, node.settings.node_name)
                if problems:
                    raise Refused
        except Refused:
            for problem in problems:
                typer.secho(f"liaison: {problem}", err=True, fg=typer.colors.RED)
            raise fail(f"{len(problems)} problem(s) in {csv_file}; nothing imported") from None
    typer.echo(f"imported {len(rows)} people from {csv_file}")


# --- export -----------------------------------------------------------------------------------


def _visible_people(session: Session, viewer: Principal) -> list[Person]:
    people: list[Person] = []
    cursor = None
    while True:
        page = list_people(session, viewer, cursor=cursor, limit=MAX_LIMIT)
        people += page.items
        if page.next_cursor is None:
            return people
        cursor = page.next_cursor


def _row(person: Person, languages: list[PersonLanguage]) -> dict[str, str]:
    return {
        "family_name": person.family_name,
        "given_names": person.given_names,
        "rank_code": person.rank_code,
        "rank_title": person.rank_title,
        "service": person.service,
        "nation": person.nation,
        "email": person.email or "",
        "phone": person.phone or "",
        "clearance_policy": person.clearance_policy or "",
        "clearance_level": person.clearance_level or "",
        "clearance_special": ";".join(sorted(person.clearance_special or [])),
        "clearance_issued": person.clearance_issued.isoformat() if person.clearance_issued else "",
        "clearance_expires": (
            person.clearance_expires.isoformat() if person.clearance_expires else ""
        ),
        "languages": ";".join(f"{row.language}={row.profile}" for row in languages),
    }


@app.command()
def export(
    username: str = AsUser,
    output_format: str = typer.Option("csv", "--format", help="csv (importable) or json"),
) -> None:
    """Write the people the user may see to standard output."""
    if output_format not in ("csv", "json"):
        raise fail(f"unknown format {output_format!r}: csv or json")
    with open_node() as node, node.db.reading() as session:
        viewer = acting_principal(session, username)
        people = _visible_people(session, viewer)
        # A person's languages are part of their record: seen exactly when the person is.
        languages: dict[uuid.UUID, list[PersonLanguage]] = {p.id: [] for p in people}
        ids = list(languages)
        for start in range(0, len(ids), 500):
            query = (
                select(PersonLanguage)
                .where(PersonLanguage.person_id.in_(ids[start : start + 500]))
                .order_by(PersonLanguage.language)
            )
            for language in session.scalars(query):
                languages[language.person_id].append(language)
        rows = [
            {"id": str(person.id), "office_id": str(person.office_id or "")}
            | _row(person, languages[person.id])
            for person in people
        ]
    if output_format == "json":
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    typer.echo(out.getvalue(), nl=False)
