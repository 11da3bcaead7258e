"""The built documentation in a real browser: headless Chromium, pages served from ``docs/_build/html``.

The same Chromium set-up as ``tests/report/test_browser.py`` (``.ci/install_chromium.sh``), two
independent detectors of failure:

1. A DOM probe: the local HTTP server injects a small script at the top of each HTML page's
   ``<head>`` (the files on disk are not changed). It records every ``error`` event (uncaught
   exceptions, failed resource loads) and every ``console.error`` call; some time after ``load``
   it counts the images that did not load (``!(img.complete && img.naturalWidth > 0)``), the
   search results and the formulas MathJax has typeset, and writes it all as JSON into a
   ``<pre id="reluscope-probe">`` that ``--dump-dom`` prints.
2. Chromium's own log (``--enable-logging=stderr``) of the same run, scanned for console errors and
   failed loads (a MathJax font or a CDN request that fails shows up here).

A negative control (a served page with a broken image and a thrown error) must be flagged by both.
The site must be built first (``make docs``): without ``docs/_build/html/index.html`` the tests skip
with a message, except when the environment variable ``CI`` is set, where they fail.
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.report.test_browser import CANDIDATES, find_chromium, log_errors, run_chromium

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("RELUSCOPE_DOCS_HTML", ROOT / "docs" / "_build" / "html"))
BAD_PAGE = "/__reluscope_negative_control__.html"
PROBE = """<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) { errors.push("resource " + t.tagName + " " + String(t.src || t.href || "").slice(0, 120)); }
    else { errors.push("uncaught " + e.message); }
  }, true);
  window.addEventListener("unhandledrejection", function (e) { errors.push("unhandled rejection " + String(e.reason).slice(0, 200)); });
  var original = console.error;
  console.error = function () { errors.push("console " + Array.prototype.join.call(arguments, " ")); return original.apply(console, arguments); };
  window.addEventListener("load", function () {
    setTimeout(function () {
      var imgs = Array.prototype.slice.call(document.images);
      var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); });
      var math = Array.prototype.slice.call(document.querySelectorAll("span.math, div.math"));
      var pre = document.createElement("pre");
      pre.id = "reluscope-probe";
      pre.textContent = JSON.stringify({
        images: imgs.length, broken: broken.map(function (i) { return i.src; }), errors: errors,
        search_results: document.querySelectorAll("#search-results li").length,
        math: math.length,
        typeset: math.filter(function (m) { return m.querySelector("mjx-container") !== null; }).length,
        title: document.title});
      document.body.appendChild(pre);
    }, 6000);
  });
})();
</script>"""
NEGATIVE = (
    '<!DOCTYPE html><html><head><title>bad</title></head><body><p>x</p>'
    '<img src="missing.png" alt="missing"><script>throw new Error("boom")</script></body></html>'
)


class _ProbingHandler(SimpleHTTPRequestHandler):
    """Serves the site; HTML pages get the probe injected on the way out."""

    def log_message(self, *args):  # keep pytest's output clean
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == BAD_PAGE:
            return self._send_html(NEGATIVE.replace("<head>", "<head>\n" + PROBE, 1))
        if path.endswith("/"):
            path += "index.html"
        file = Path(self.directory) / path.lstrip("/")
        if path.endswith(".html") and file.is_file():
            return self._send_html(file.read_text(encoding="utf-8").replace("<head>", "<head>\n" + PROBE, 1))
        return super().do_GET()

    def _send_html(self, text: str):
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site():
    if not (SITE / "index.html").is_file():
        message = f"the documentation is not built ({SITE / 'index.html'} is missing): run `make docs` first"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_ProbingHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chromium():
    binary = find_chromium()
    if binary is None:
        pytest.skip(
            "Chromium not found (tried $RELUSCOPE_CHROMIUM and " + ", ".join(CANDIDATES) + "); install it with "
            "`bash .ci/install_chromium.sh` (Debian: apt-get install chromium) to run the browser tests."
        )
    return binary


def load(binary: str, url: str) -> tuple[dict, list]:
    """What the probe recorded on ``url``, and the error lines of Chromium's log of the same run."""
    dom, err = run_chromium(binary, ["--dump-dom", "--virtual-time-budget=15000", "--window-size=1280,1000"], url)
    m = re.search(r'<pre id="reluscope-probe">(.*?)</pre>', dom, re.S)
    assert m, f"the probe did not run on {url}; Chromium said: {err[-2000:]}"
    return json.loads(html_lib.unescape(m.group(1))), log_errors(err)


def assert_clean(found: dict, log: list, url: str):
    assert found["errors"] == [], f"{url}: {found['errors']}"
    assert log == [], f"{url}: {log}"
    assert found["broken"] == [], f"{url}: images that did not load: {found['broken']}"


def test_detectors_flag_a_broken_page(chromium, site):
    found, log = load(chromium, site + BAD_PAGE)
    assert found["images"] == 1 and len(found["broken"]) == 1
    assert any("boom" in e for e in found["errors"]) and any(e.startswith("resource IMG") for e in found["errors"])
    assert any("boom" in line for line in log), log


def test_index_renders_with_its_image_and_math(chromium, site):
    found, log = load(chromium, site + "/index.html")
    assert_clean(found, log, "index.html")
    assert found["title"].startswith("reluscope")
    assert found["images"] >= 1  # the report screenshot (and the theme's logo, if any)
    assert found["math"] > 0 and found["typeset"] == found["math"], f"MathJax typeset {found['typeset']} of {found['math']} formulas"


@pytest.mark.parametrize(
    "page",
    ["getting_started.html", "user_guide/unwrapping.html", "auto_examples/index.html",
     "auto_examples/unwrapping/plot_unwrap_cocircles.html", "coming_from_aletheia.html"],
)
def test_page_renders_without_errors(chromium, site, page):
    if not (SITE / page).is_file():
        pytest.fail(f"{page} is not in the built site {SITE}")
    found, log = load(chromium, f"{site}/{page}")
    assert_clean(found, log, page)
    assert found["typeset"] == found["math"], f"MathJax typeset {found['typeset']} of {found['math']} formulas"
    if page == "auto_examples/index.html":
        assert found["images"] >= 1, "a gallery index without thumbnails"


def test_search_finds_unwrap(chromium, site):
    found, log = load(chromium, f"{site}/search.html?q=unwrap")
    assert_clean(found, log, "search.html?q=unwrap")
    assert found["search_results"] > 0, "searching for 'unwrap' returned no result"
    nothing, _ = load(chromium, f"{site}/search.html?q=qwxzjvkqpl")
    assert nothing["search_results"] == 0
