#!/usr/bin/env bash
# Installs Debian's tesseract with its Swedish model, so scanned (image-only) PDF pages are read by
# OCR and the OCR tests run. Only Debian packages: no model download of its own.
set -euo pipefail
if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>&1 | grep -qx swe; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends tesseract-ocr tesseract-ocr-swe >/dev/null
tesseract --version 2>&1 | head -1
