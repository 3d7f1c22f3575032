#!/usr/bin/env bash
# Add the bundle to the Linux desktop menu for the current user (no root needed):
#   install-desktop.sh [BUNDLE_DIR]
# Run from inside the bundle (it ships beside the executable) it installs that bundle; from the
# source tree the default is dist/savedmodel-inspector. Installs the .desktop entry with Exec
# pointing into the bundle (quoted and escaped as the Desktop Entry spec says, so folders with
# spaces, &, %, $, quotes or backslashes work), and the icons into the user's hicolor theme.
# Undo with: install-desktop.sh --uninstall
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name=savedmodel-inspector
data="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data/applications"
icons="$data/icons/hicolor"

fail() { echo "install-desktop.sh: error: $*" >&2; exit 2; }

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -f "$apps/$name.desktop" "$icons/scalable/apps/$name.svg" "$icons"/*x*/apps/"$name.png"
    echo "removed $name from $apps and $icons"
    exit 0
fi
if [[ "${1:-}" == -* ]]; then
    fail "unknown option '$1'; usage: install-desktop.sh [BUNDLE_DIR] | --uninstall"
fi

if [[ $# -ge 1 ]]; then
    dir="$1"
elif [[ -x "$here/$name" && ! -d "$here/$name" ]]; then
    dir="$here"  # the copy inside the bundle
else
    dir="$(dirname "$here")/dist/$name"
fi
[[ -e "$dir" ]] || fail "$dir: no such folder; give the bundle folder (the one holding $name), built by packaging/build.py"
[[ -d "$dir" ]] || fail "$dir: not a folder; give the bundle folder (the one holding $name)"
bundle="$(cd -- "$dir" && pwd)"
exe="$bundle/$name"
[[ -f "$exe" && -x "$exe" ]] || fail "$exe: no such program; is $bundle a bundle built by packaging/build.py?"
template="$here/$name.desktop"
[[ -f "$template" ]] || template="$bundle/$name.desktop"
[[ -f "$template" ]] || fail "$name.desktop is missing beside install-desktop.sh"

# Desktop Entry spec: inside a double-quoted Exec argument, " ` $ and \ take a backslash; a
# literal % is %%; then the whole value is a string, where each \ is written \\.
exec_arg="$exe"
exec_arg="${exec_arg//\\/\\\\}"
exec_arg="${exec_arg//\"/\\\"}"
exec_arg="${exec_arg//\`/\\\`}"
exec_arg="${exec_arg//\$/\\\$}"
exec_arg="${exec_arg//%/%%}"
exec_arg="${exec_arg//\\/\\\\}"
try_exec="${exe//\\/\\\\}"

mkdir -p "$apps" "$icons/scalable/apps"
out="$apps/$name.desktop.tmp.$$"
while IFS= read -r line || [[ -n "$line" ]]; do
    case "$line" in
        Exec=*) printf 'Exec="%s" %%F\n' "$exec_arg" ;;
        TryExec=*) printf 'TryExec=%s\n' "$try_exec" ;;
        *) printf '%s\n' "$line" ;;
    esac
done < "$template" > "$out"
mv -f -- "$out" "$apps/$name.desktop"

src="$bundle/_internal/resources/icons"  # the bundle's own copy, else the source tree's
[[ -d "$src" ]] || src="$(dirname "$here")/resources/icons"
if [[ -f "$src/app.svg" ]]; then
    cp -- "$src/app.svg" "$icons/scalable/apps/$name.svg"
fi
for png in "$src"/app_*.png; do
    [[ -f "$png" ]] || continue
    size="$(basename "$png" .png)"; size="${size#app_}"
    mkdir -p "$icons/${size}x${size}/apps"
    cp -- "$png" "$icons/${size}x${size}/apps/$name.png"
done
if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$apps" || true; fi
if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t "$icons" || true; fi
echo "installed $apps/$name.desktop (Exec=$exe) and icons in $icons"
