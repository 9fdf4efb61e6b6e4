from __future__ import annotations

import importlib.metadata
import json
from io import StringIO
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from django.core.management import call_command
from jsonschema.validators import Draft7Validator

pytestmark = pytest.mark.smoke


def test_sbom_is_strict_cyclonedx_listing_django_with_version_and_purl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "sbom.json"
    # jsonschema checks every IRI with a grammar taking about 0.1 s each (25 s in all);
    # the rest of the strict schema is still enforced.
    monkeypatch.delitem(Draft7Validator.FORMAT_CHECKER.checkers, "iri-reference")

    call_command("deps", "sbom", "--output", str(output), stderr=StringIO())

    text = output.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    sbom = json.loads(text)
    assert (sbom["bomFormat"], sbom["specVersion"]) == ("CycloneDX", "1.6")
    assert sbom["metadata"]["component"]["name"] == "fortresa"
    version = importlib.metadata.version("django")
    django = next(c for c in sbom["components"] if c["name"].lower() == "django")
    assert django["version"] == version
    assert django["purl"] == f"pkg:pypi/django@{version}"


def test_sbom_goes_to_standard_output_without_output_file() -> None:
    out = StringIO()

    call_command("deps", "sbom", stdout=out)

    names = {component["name"].lower() for component in json.loads(out.getvalue())["components"]}
    assert {"django", "psycopg", "cyclonedx-bom"} <= names
