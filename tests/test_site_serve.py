"""`kbtool serve`: the loopback server, its 404 page, live reload, rebuild on change."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cliutil import article, write_kb

from kbtool.config import load_config
from kbtool.errors import InputError
from kbtool.site import BuildResult, build_site
from kbtool.site.serve import HOST, SiteServer, serve_site


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Kept article bodies go to a cache folder of this module's own, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
        yield


def test_server_listens_on_loopback_only_and_serves_the_404_page(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>home</p>")
    (tmp_path / "404.html").write_text("<p>not here</p>")
    server = SiteServer(tmp_path, 0)
    server.start()
    try:
        assert server.httpd.server_address[0] == HOST == "127.0.0.1"
        with urllib.request.urlopen(server.url) as response:
            assert response.read() == b"<p>home</p>"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(server.url + "nope/")
        assert missing.value.code == 404 and missing.value.read() == b"<p>not here</p>"
        with pytest.raises(InputError, match="in use"):
            SiteServer(tmp_path, server.httpd.server_address[1])
    finally:
        server.stop()


def test_live_reload_event_after_a_rebuild(tmp_path: Path) -> None:
    server = SiteServer(tmp_path, 0)
    server.start()
    try:
        with urllib.request.urlopen(server.url + "__kbtool/events", timeout=10) as stream:
            threading.Timer(0.3, server.reloader.bump).start()
            lines = [stream.readline() for _ in range(2)]
        assert lines == [b"event: reload\n", b"data: 1\n"]
    finally:
        server.stop()


def test_serve_rebuilds_when_an_article_changes(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"articles/en/a/x.md": article("Before.\n", title="X")})
    out = tmp_path / "preview"
    results: list[BuildResult | Exception] = []
    urls: list[str] = []
    stop = threading.Event()

    def build(config):  # type: ignore[no-untyped-def]
        return build_site(config, out=out, search=False, live_reload=True)

    thread = threading.Thread(
        target=serve_site,
        kwargs={
            "load_config": lambda: load_config(root)[0],
            "out": out,
            "port": 0,
            "build": build,
            "report": results.append,
            "ready": urls.append,
            "stop": stop,
        },
        daemon=True,
    )
    thread.start()
    try:
        for _ in range(200):
            if urls:
                break
            time.sleep(0.05)
        assert urls and urls[0].startswith("http://127.0.0.1:")
        page = urllib.request.urlopen(urls[0] + "en/a/x/").read().decode()
        assert "Before." in page and "reload.js" in page
        time.sleep(0.5)
        (root / "articles/en/a/x.md").write_text(article("After.\n", title="X"))
        for _ in range(200):
            if len(results) > 1:
                break
            time.sleep(0.05)
        assert len(results) > 1 and isinstance(results[-1], BuildResult)
        assert results[-1].incremental and results[-1].written >= 1
        assert "After." in urllib.request.urlopen(urls[0] + "en/a/x/").read().decode()
    finally:
        stop.set()
        thread.join(timeout=10)
