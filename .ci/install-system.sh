#!/usr/bin/env bash
# Install the Debian packages baoxue needs, only those missing.
#   runtime: pango for WeasyPrint, fontconfig, Noto CJK (fallback fonts), libGL and GLib for
#            opencv-python (RapidOCR's image library: OCR of scanned evidence), LibreOffice
#            Writer and Calc (the 迎检资料 prints a package's DOCX/XLSX/DOC as a person would;
#            the audit reads .doc through it)
#   test:    runtime + PostgreSQL (storage tests run a throwaway cluster), Chromium
#            (browser tests through Playwright; no browser download) and GNU time (the
#            independent corpus is scored with its time and memory)
set -euo pipefail
group="${1:-runtime}"
pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk libgl1 libglib2.0-0
      libreoffice-writer-nogui libreoffice-calc-nogui)
if [ "$group" = "test" ]; then
  pkgs+=(postgresql chromium time)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "安装系统软件包：${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
