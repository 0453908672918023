"""`liaison reports export`, `liaison glossary import` and `liaison alerts run` as an operator
uses them: as a named user, all or nothing, with one clear line when refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from liaison.actions.reports import do_submit_report
from liaison.cli.main import app
from liaison.node import Node
from liaison.queries.glossary import glossary
from tests.report_fixtures import NATO_SECRET_REL_GBR, World, act, build_world, draft, nation

runner = CliRunner()

TBX = b"""<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <text><body>
    <conceptEntry id="c1">
      <descrip type="definition">A route for supplies.</descrip>
      <langSec xml:lang="en"><termSec><term>main supply route</term></termSec></langSec>
      <langSec xml:lang="fr">
        <termSec><term>itin\xc3\xa9raire principal de ravitaillement</term></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


@pytest.fixture
def env(node: Node) -> dict[str, str]:
    return {
        "LIAISON_DATA_DIR": str(node.settings.data_dir),
        "LIAISON_DATABASE_URL": node.settings.resolved_database_url,
        "LIAISON_NODE_NAME": node.settings.node_name,
    }


@pytest.fixture
def world(node: Node) -> World:
    return build_world(node)


def run(env: dict[str, str], *args: str) -> Result:
    return runner.invoke(app, list(args), env=env)


def test_a_report_is_exported_as_its_reader_sees_it_and_verifies(
    env: dict[str, str], node: Node, world: World, tmp_path: Path
) -> None:
    report_id = draft(
        node, world, portions=[("UK only.", NATO_SECRET_REL_GBR)], recipients=[nation("GBR")]
    )
    act(node, world, "gbr_author", do_submit_report, report_id)
    package = tmp_path / "report.zip"
    done = run(
        env, "reports", "export", str(report_id), "--as", "gbr.fdo", "--package", "-o", str(package)
    )
    assert done.exit_code == 0, done.output
    assert "NATO SECRET" in done.output
    verified = run(env, "reports", "verify", str(package))
    assert verified.exit_code == 0, verified.output
    pdf = tmp_path / "report.pdf"
    assert (
        run(env, "reports", "export", str(report_id), "--as", "gbr.fdo", "-o", str(pdf)).exit_code
        == 0
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    hidden = run(env, "reports", "export", str(report_id), "--as", "fra.reader", "-o", str(pdf))
    assert hidden.exit_code == 1
    assert "no report" in hidden.output


def test_a_glossary_is_imported_from_tbx_and_csv_all_or_nothing(
    env: dict[str, str], node: Node, world: World, tmp_path: Path
) -> None:
    office = str(world.corps.uk_office)
    tbx = tmp_path / "terms.tbx"
    tbx.write_bytes(TBX)
    done = run(env, "glossary", "import", str(tbx), "--as", "gbr.author", "--office", office)
    assert done.exit_code == 0, done.output
    assert "imported 1" in done.output
    bad = tmp_path / "terms.csv"
    bad.write_text(
        "en,fr,definition\nforward operating base,base,A base\nline of departure,x,y,extra\n"
    )
    refused = run(env, "glossary", "import", str(bad), "--as", "gbr.author", "--office", office)
    good = tmp_path / "good.csv"
    good.write_text("en,fr,definition\nforward operating base,base opérationnelle avancée,A base\n")
    added = run(env, "glossary", "import", str(good), "--as", "gbr.author", "--office", office)
    assert added.exit_code == 0, added.output
    with node.db.reading() as session:
        terms = glossary(session, world.principal(node, "gbr_author"), world.corps.uk_office)
        english = sorted(term.terms["en"][0] for term in terms)
    assert english == ["forward operating base", "main supply route"]
    assert refused.exit_code == 1  # its second row is bad: nothing of it was stored
    assert "line 3" in refused.output
    hostile = tmp_path / "evil.tbx"
    hostile.write_bytes(b'<!DOCTYPE tbx [<!ENTITY x SYSTEM "file:///etc/passwd">]><tbx>&x;</tbx>')
    assert (
        run(
            env, "glossary", "import", str(hostile), "--as", "gbr.author", "--office", office
        ).exit_code
        == 1
    )


def test_alerts_run_reports_what_it_did(env: dict[str, str], world: World) -> None:
    done = run(env, "alerts", "run")
    assert done.exit_code == 0, done.output
    assert done.output == "0 reminders, 0 escalations\n"
