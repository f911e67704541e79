#!/usr/bin/env bash
# The browser test of the play chapter (tests/test_play_browser.py) drives Debian's Chromium
# (/usr/bin/chromium) with Playwright; Playwright never downloads a browser of its own.
# Installs the chromium package when it is missing (as root, or through sudo). Safe to run again.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
  echo "error: /usr/bin/chromium is missing and this user cannot install it; run as root: apt-get install chromium" >&2; exit 1
fi
echo "setup: installing Debian's chromium for the browser test"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || {
  $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null; }
test -x /usr/bin/chromium || { echo "error: chromium did not install (/usr/bin/chromium missing)" >&2; exit 1; }
