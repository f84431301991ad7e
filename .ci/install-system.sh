#!/usr/bin/env bash
# Install the Debian packages baoxue needs, only those missing.
#   runtime: pango for WeasyPrint, fontconfig, Noto CJK (fallback fonts), libGL and GLib for
#            opencv-python (RapidOCR's image library: OCR of scanned evidence)
#   test:    runtime + LibreOffice Writer (DOCX round trip) and Calc (the print comparison
#            prints workbooks), PostgreSQL (storage tests run a throwaway cluster), Chromium
#            (browser tests through Playwright; no browser download) and GNU time (the
#            independent corpus is scored with its time and memory)
set -euo pipefail
group="${1:-runtime}"
pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk libgl1 libglib2.0-0)
if [ "$group" = "test" ]; then
  pkgs+=(libreoffice-writer-nogui libreoffice-calc-nogui postgresql chromium time)
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
