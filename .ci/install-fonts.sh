#!/usr/bin/env bash
# Put the Fandol fonts (仿宋/宋/黑/楷) into the project's font folder: download Debian's
# texlive-lang-chinese .deb and extract just the .otf files, not the whole TeX install.
set -euo pipefail
dest="${1:-fonts}"
want=(FandolFang-Regular.otf FandolSong-Regular.otf FandolSong-Bold.otf FandolHei-Regular.otf FandolHei-Bold.otf FandolKai-Regular.otf)
have=1
for f in "${want[@]}"; do [ -f "$dest/$f" ] || have=0; done
[ "$have" = 1 ] && exit 0
mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"   # apt's sandbox user writes the download here
echo "下载 Fandol 字体（texlive-lang-chinese）…"
(cd "$work" && apt-get download -qq texlive-lang-chinese 2>/dev/null) || {
  [ "$(id -u)" -eq 0 ] && apt-get update -qq && (cd "$work" && apt-get download -qq texlive-lang-chinese)
}
deb="$(ls "$work"/texlive-lang-chinese_*.deb)"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards '*/fandol/Fandol*.otf' '*/fandol/COPYING*' 2>/dev/null \
  || dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards '*/fandol/Fandol*.otf'
find "$work" -path '*/fandol/*' \( -name 'Fandol*.otf' -o -name 'COPYING*' \) -exec cp {} "$dest/" \;
for f in "${want[@]}"; do
  [ -f "$dest/$f" ] || { echo "字体 $f 未能从 texlive-lang-chinese 中取出" >&2; exit 1; }
done
echo "Fandol 字体已安装到 $dest/"
