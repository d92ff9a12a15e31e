"""Generated documentation is up to date, and copies of shipped files agree."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from kbtool import config as config_module
from kbtool.reference import config_reference, update_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["README.md", "docs/configuration.md"])
def test_config_reference_is_current(name: str) -> None:
    assert not update_file(ROOT / name, check=True), (
        f"{name} is out of date: run `python -m kbtool.reference`"
    )


def test_every_option_is_documented_and_in_the_reference() -> None:
    reference = config_reference()
    for key, _kind, _default, doc in config_module.iter_options():
        assert doc.strip(), f"option {key} has no documentation"
        if "." in key and not key.endswith(".rules"):
            name = key.split(".", 1)[1]
            assert f"| `{name}` |" in reference, f"{key} missing from the reference"


def test_every_schema_section_is_a_documented_dataclass() -> None:
    hints = typing.get_type_hints(config_module.Config)
    for f in dataclasses.fields(config_module.Config):
        if f.metadata.get("internal"):
            continue
        section = hints[f.name]
        assert dataclasses.is_dataclass(section)
        assert (section.__doc__ or "").strip(), f"[{f.name}] has no docstring"


def test_sample_templates_match_the_scaffold_shipped_with_init() -> None:
    shipped = ROOT / "kbtool" / "scaffold" / "templates"
    for template in sorted(shipped.glob("*.md")):
        sample = ROOT / "templates" / template.name
        assert sample.read_bytes() == template.read_bytes(), (
            f"templates/{template.name} differs from the scaffold copy in kbtool/"
        )
