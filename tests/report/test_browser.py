"""The report in a real browser: headless Chromium renders it without errors, broken images or overflow.

Two independent detectors, because either alone can miss a failure:

1. A DOM probe (primary, does not depend on Chromium's log format): a copy of the
   report gets a tiny script at the top of <head> that records, in the capture
   phase, every ``error`` event (uncaught exceptions and failed resource loads,
   which do not bubble) and every ``console.error`` call; on ``load`` it counts
   images with ``!(img.complete && img.naturalWidth > 0)`` and writes all of it
   as JSON into a ``<pre id="reluscope-probe">``.  ``--dump-dom`` with a
   virtual-time budget prints the DOM after ``load`` has run.  The report file
   itself carries no script.
2. Chromium's own log (``--enable-logging=stderr --v=0``) of the screenshot run,
   scanned for console errors ('Uncaught', 'ERROR:CONSOLE', failed resource loads).

A negative control (a page with a broken image and a thrown error) must be
flagged by both, so the detectors are shown to work wherever the test runs.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from reluscope.report import _views, write_report  # noqa: E402
from tests.report.test_report import make_case  # noqa: E402

pytestmark = pytest.mark.browser

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]
PROBE = """<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) { errors.push("resource " + t.tagName + " " + String(t.src || t.href || "").slice(0, 80)); }
    else { errors.push("uncaught " + e.message); }
  }, true);
  var original = console.error;
  console.error = function () { errors.push("console " + Array.prototype.join.call(arguments, " ")); return original.apply(console, arguments); };
  window.addEventListener("load", function () {
    var imgs = Array.prototype.slice.call(document.images);
    var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length;
    var pre = document.createElement("pre");
    pre.id = "reluscope-probe";
    pre.textContent = JSON.stringify({images: imgs.length, broken: broken, errors: errors,
      scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth});
    document.body.appendChild(pre);
  });
})();
</script>"""
LOG_ERRORS = re.compile(r"Uncaught|ERROR:CONSOLE|Failed to load resource|Not allowed to load local resource|net::ERR_")


def find_chromium() -> str | None:
    """The Chromium binary: $RELUSCOPE_CHROMIUM, else the first candidate name on PATH."""
    env = os.environ.get("RELUSCOPE_CHROMIUM")
    if env:
        return env if shutil.which(env) else None
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


def run_chromium(binary: str, args: list, url: str, timeout: float = 90.0) -> tuple[str, str]:
    """Run headless Chromium once with a fresh profile; kill its process group on timeout."""
    with tempfile.TemporaryDirectory(prefix="reluscope-chromium-") as profile:
        cmd = [binary, *FLAGS, f"--user-data-dir={profile}", *args, url]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"Chromium did not finish within {timeout:.0f} s: {' '.join(cmd[:3])} ...")
    return out, err


def screenshot(binary: str, page: Path, png: Path, size=(1280, 4000)) -> str:
    """Screenshot of ``page`` at ``size``; returns Chromium's log (stderr)."""
    _, err = run_chromium(binary, [f"--screenshot={png}", f"--window-size={size[0]},{size[1]}"], page.resolve().as_uri())
    return err


def probe(binary: str, page: Path, width: int = 1280) -> dict:
    """Load a probed copy of ``page`` and return what the probe recorded."""
    text = page.read_text(encoding="utf-8")
    probed = page.with_name(page.stem + ".probe.html")
    probed.write_text(text.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    dom, err = run_chromium(binary, ["--dump-dom", "--virtual-time-budget=10000", f"--window-size={width},1000"], probed.as_uri())
    m = re.search(r'<pre id="reluscope-probe">(.*?)</pre>', dom, re.S)
    assert m, f"the probe did not run; Chromium said: {err[-2000:]}"
    return json.loads(html_lib.unescape(m.group(1)))


def log_errors(log: str) -> list:
    return [line for line in log.splitlines() if LOG_ERRORS.search(line)]


@pytest.fixture(scope="module")
def chromium():
    binary = find_chromium()
    if binary is None:
        pytest.skip(
            "Chromium not found (tried $RELUSCOPE_CHROMIUM and " + ", ".join(CANDIDATES) + "); install it with "
            "`bash .ci/install_chromium.sh` (Debian: apt-get install chromium) to run the browser tests."
        )
    return binary


def _pixels(png: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(png) as im:
        return np.asarray(im.convert("RGB"), dtype=np.float64)


def test_detectors_flag_a_broken_page(chromium, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><title>bad</title></head><body><p>x</p>'
        '<img src="missing.png" alt="missing"><script>throw new Error("boom")</script></body></html>',
        encoding="utf-8",
    )
    found = probe(chromium, bad)
    assert found["broken"] == 1 and found["images"] == 1
    assert any("boom" in e for e in found["errors"]) and any(e.startswith("resource IMG") for e in found["errors"])
    log = screenshot(chromium, bad, tmp_path / "bad.png", size=(400, 300))
    assert any("boom" in line for line in log_errors(log)), log[-3000:]


def test_report_renders_in_chromium_without_errors(chromium, tmp_path):
    llms, X_test, y_test = make_case("binary", 2, n=300)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_views, "REGION_MAP_RESOLUTION", 80)
        page = write_report(llms, tmp_path / "report.html", X_test=X_test, y_test=y_test, title="Browser check")
    n_images = page.read_text(encoding="utf-8").count("<img ")

    png = tmp_path / "report.png"
    log = screenshot(chromium, page, png)
    assert png.is_file() and png.stat().st_size > 10_000
    px = _pixels(png)
    assert px.shape[:2] == (4000, 1280)
    gray = px.mean(axis=2)
    assert gray.std() > 20.0, "the screenshot is (nearly) blank"
    assert (gray < 200).mean() > 0.03, "almost nothing is drawn"
    # the dark header band is at the top, and figures further down are drawn (not one flat colour)
    assert gray[:60].mean() < 100 and gray[1500:4000].std() > 10.0
    assert log_errors(log) == [], log_errors(log)

    found = probe(chromium, page)
    assert found["errors"] == []
    assert found["images"] == n_images > 0 and found["broken"] == 0
    assert found["scrollWidth"] <= found["innerWidth"], "the page overflows horizontally at 1280 px"
