"""Every page of the built sample site passes the Nu HTML checker (vnu) with no errors.

vnu.jar comes from npm's `vnu-jar`, installed by `.ci/run` under
`$KBTOOL_SITE_TOOLS` (default `$TMPDIR/kbtool-site-tools`); the test is skipped
when it or Java is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtool.config import load_config
from kbtool.site import build_site


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Kept article bodies go to a cache folder of this module's own, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
        yield


REPO = Path(__file__).resolve().parents[1]
TOOLS = Path(os.environ.get("KBTOOL_SITE_TOOLS", Path(tempfile.gettempdir()) / "kbtool-site-tools"))
VNU = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.browser


def test_every_page_is_valid_html(tmp_path: Path) -> None:
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        pytest.skip(f"java or {VNU} missing (npm install vnu-jar)")
    config, _ = load_config(REPO)
    out = tmp_path / "site"
    build_site(config, out=out, search=False, drafts=True)
    pages = sorted(str(p) for p in out.rglob("*.html"))
    assert len(pages) > 150
    done = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m.get('url', '')).as_posix().split('/site/', 1)[-1]}:{m.get('lastLine')}: "
        f"{m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == []
