#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the report's browser test (tests/report/test_browser.py).
# Quiet, and never fails the build: if it cannot install, the browser tests skip with a message.
set -u
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
log="$(mktemp -t install-chromium.XXXXXX.log)"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_chromium: no apt-get on this machine; browser tests will skip"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "install_chromium: not root and no password-less sudo; browser tests will skip"
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq >"$log" 2>&1 && $SUDO apt-get install -y -qq chromium >>"$log" 2>&1 && [ -x /usr/bin/chromium ]; then
    echo "install_chromium: installed $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
else
    echo "install_chromium: could not install chromium (last lines of $log below); browser tests will skip"
    tail -n 5 "$log" 2>/dev/null || true
fi
exit 0
