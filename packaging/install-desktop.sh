#!/usr/bin/env bash
# Add the bundle to the Linux desktop menu for the current user (no root needed):
#   packaging/install-desktop.sh [BUNDLE_DIR]     (default: dist/savedmodel-inspector)
# Installs the .desktop entry with Exec pointing into the bundle, and the icons into the
# user's hicolor theme. Undo with: packaging/install-desktop.sh --uninstall
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
name=savedmodel-inspector
data="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data/applications"
icons="$data/icons/hicolor"

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -f "$apps/$name.desktop" "$icons/scalable/apps/$name.svg" "$icons"/*x*/apps/"$name.png"
    echo "removed $name from $apps and $icons"
    exit 0
fi

bundle="$(cd "${1:-$root/dist/$name}" && pwd)"
exe="$bundle/$name"
[[ -x "$exe" ]] || { echo "error: $exe is not there; build it with packaging/build.py" >&2; exit 2; }

mkdir -p "$apps" "$icons/scalable/apps"
sed -e "s|^Exec=.*|Exec=\"$exe\" %F|" -e "s|^TryExec=.*|TryExec=$exe|" \
    "$here/$name.desktop" > "$apps/$name.desktop"
src="$bundle/_internal/resources/icons"  # the bundle's own copy, else the source tree's
[[ -d "$src" ]] || src="$root/resources/icons"
cp "$src/app.svg" "$icons/scalable/apps/$name.svg"
for png in "$src"/app_*.png; do
    size="$(basename "$png" .png)"; size="${size#app_}"
    mkdir -p "$icons/${size}x${size}/apps"
    cp "$png" "$icons/${size}x${size}/apps/$name.png"
done
command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$icons" || true
echo "installed $apps/$name.desktop (Exec=$exe) and icons in $icons"
