#!/usr/bin/env bash
# Set up motcua on a Debian / Raspberry Pi OS machine: system packages, then a venv with every role.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
DEBS=(mosquitto xvfb espeak-ng alsa-utils fonts-dejavu-core poppler-utils postgresql)

missing=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
# aplay plays announcements (issue #4); DejaVu Sans draws Vietnamese letters on the LED boards.
command -v aplay >/dev/null 2>&1 || missing+=(alsa-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || missing+=(fonts-dejavu-core)
# Issue #5: the PDF forms embed DejaVu Serif (Vietnamese); tests render PDF pages with pdftoppm.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf ] || missing+=(fonts-dejavu-core)
# Reports in the official layout (Decree 30/2020) set the place and date and "Nơi nhận:" in italics.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf ] || missing+=(fonts-dejavu-extra)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# Scanning at the counter: SANE's scanimage (and its `test` backend for the tests); SoftHSM2 stands in
# for an officer's signing token in the tests; pdfsig (poppler-utils) checks signatures independently.
command -v scanimage >/dev/null 2>&1 || missing+=(sane-utils)
[ -f /usr/lib/softhsm/libsofthsm2.so ] || missing+=(softhsm2)
# The scans' Vietnamese text layer at the hub (OCRmyPDF from PyPI drives Debian's Tesseract and its `vie`
# model; Ghostscript is its fallback rasteriser); the archived PDFs' sRGB output intent (icc-profiles-free).
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata \
  >/dev/null 2>&1 || missing+=(tesseract-ocr-vie)
command -v gs >/dev/null 2>&1 || missing+=(ghostscript)
[ -f /usr/share/color/icc/sRGB.icc ] || missing+=(icc-profiles-free)
# Web pages are tested in a real browser: Debian's Chromium and its driver (selenium drives them).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# Accessibility tests inject axe-core (from the npm registry) into Chromium.
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The provincial hub runs on PostgreSQL (issue #22): its tests start a throwaway cluster. Debian keeps the
# server binaries off PATH, in /usr/lib/postgresql/<version>/bin; the embedded default needs only SQLite.
{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } \
  && id postgres >/dev/null 2>&1 || missing+=(postgresql)  # the tests run the server as the postgres user
# Kivy reads multitouch screens through libmtdev (without it, a traceback at every start).
[ -e /usr/lib/x86_64-linux-gnu/libmtdev.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libmtdev.so.1 ] \
  || [ -e /usr/lib/arm-linux-gnueabihf/libmtdev.so.1 ] || missing+=(libmtdev1)

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""
  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"
  else
    echo "error: need root or sudo to install: ${missing[*]}" >&2
    echo "       ask an administrator to run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: apt-get not found; install these packages by hand: ${missing[*]}" >&2
    exit 1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian keeps mosquitto in /usr/sbin, which is not on every user's PATH.
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || { echo "error: mosquitto still missing" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.motcua-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing Python packages into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[hub,kiosk,counter,display,provision,postgresql,dev]"
  touch "$stamp"
fi
AXE=tests/.axe/node_modules/axe-core/axe.min.js
if [ ! -f "$AXE" ]; then
  echo "==> installing axe-core (accessibility checks of the web pages) into tests/.axe"
  npm install --silent --no-audit --no-fund --prefix tests/.axe axe-core@4
fi
echo "==> setup done"
