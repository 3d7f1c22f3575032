"""Before the window: can Qt's platform plugin load and reach a display?

Without this a fresh Linux machine aborts inside Qt (exit 134) with a message that blames the
wrong library, and a machine with no display aborts the same way. ``check_gui_platform()`` runs
before anything imports Qt's GUI modules and raises ``UserError`` with one line: the missing
libraries and the command that installs them (Debian/Ubuntu and Fedora), or that there is no
display. It costs about a millisecond when all is well (one ``dlopen`` of the plugin, which Qt
would do anyway, and one X connection).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from inspector_app.errors import UserError

# Platforms that need no display server and no extra system libraries.
_HEADLESS = {"offscreen", "minimal", "vnc", "linuxfb", "eglfs", "minimalegl", "vkkhrdisplay"}

# soname -> (Debian/Ubuntu package, Fedora package): what Qt's xcb plugin and Qt GUI link.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
}


def requested_platform(env: os._Environ | dict = os.environ) -> str:
    """The platform plugin Qt will try first: ``QT_QPA_PLATFORM`` (``name:args;fallback``) or,
    unset, what Qt 6 picks on Linux (wayland in a Wayland session, else xcb)."""
    value = env.get("QT_QPA_PLATFORM", "").strip()
    if value:
        return value.split(";", 1)[0].split(":", 1)[0].strip().lower()
    if env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return "wayland"
    return "xcb"


def plugin_file(name: str, env: os._Environ | dict = os.environ) -> Path | None:
    """``libq<name>.so`` in ``QT_QPA_PLATFORM_PLUGIN_PATH`` or PySide6's plugins (not imported)."""
    folders = [Path(p) for p in env.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep) if p]
    spec = importlib.util.find_spec("PySide6")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folders.append(Path(location) / "Qt" / "plugins" / "platforms")
    for folder in folders:
        candidate = folder / f"libq{name}.so"
        if candidate.is_file():
            return candidate
    return None


def missing_libraries(plugin: Path) -> list[str]:
    """Shared libraries ``plugin`` needs that the dynamic linker cannot find ([] if it loads)."""
    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
        return []
    except OSError as err:
        first = str(err)
    ldd = shutil.which("ldd")
    found: list[str] = []
    if ldd:
        try:
            out = subprocess.run(
                [ldd, str(plugin)], capture_output=True, text=True, timeout=20
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in out.splitlines():
            m = re.match(r"\s*(\S+)\s*=>\s*not found", line)
            if m and m.group(1) not in found:
                found.append(m.group(1))
    if not found:  # no ldd: dlopen's message names the first one
        m = re.match(r"(\S+\.so[.\d]*): cannot open shared object file", first)
        found.append(m.group(1) if m else first.strip())
    return found


def install_hint(libraries: list[str]) -> str:
    """``sudo apt-get install ...`` (Debian/Ubuntu) and ``sudo dnf install ...`` (Fedora)."""
    debian = [PACKAGES[lib][0] for lib in libraries if lib in PACKAGES]
    fedora = [PACKAGES[lib][1] for lib in libraries if lib in PACKAGES]
    if not debian:
        return "install the packages that provide them"
    unique = lambda names: " ".join(dict.fromkeys(names))  # noqa: E731
    return (
        f"install them with 'sudo apt-get install {unique(debian)}' (Debian/Ubuntu) or "
        f"'sudo dnf install {unique(fedora)}' (Fedora)"
    )


def _x_display_error(display: str) -> str | None:
    """Connect to the X server as Qt will; None when it answers, else why not."""
    name = ctypes.util.find_library("xcb") or "libxcb.so.1"
    try:
        xcb = ctypes.CDLL(name)
    except OSError:
        return None  # the plugin check has named libxcb already
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        if conn and xcb.xcb_connection_has_error(conn) == 0:
            return None
    finally:
        if conn:
            xcb.xcb_disconnect(conn)
    return f"cannot connect to the X display {display!r}"


_NO_DISPLAY = (
    "; the window needs a desktop session (or 'ssh -X'); the command line works without one "
    "('savedmodel-inspector show|run|check|compare ...'), and QT_QPA_PLATFORM=offscreen runs "
    "the window with nothing shown"
)


def platform_problem(env: os._Environ | dict = os.environ) -> str | None:
    """One line saying why Qt's platform plugin cannot start here, or None."""
    if not sys.platform.startswith("linux") or env.get("INSPECTOR_SKIP_PLATFORM_CHECK"):
        return None
    name = requested_platform(env)
    if name in _HEADLESS:
        return None
    if name == "wayland":
        runtime = env.get("XDG_RUNTIME_DIR", "")
        socket = env.get("WAYLAND_DISPLAY") or "wayland-0"
        if os.path.isabs(socket) or (runtime and Path(runtime, socket).exists()):
            return None
        return "no display: no Wayland compositor is running (WAYLAND_DISPLAY)" + _NO_DISPLAY
    if name != "xcb":
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return "no display: DISPLAY is not set" + _NO_DISPLAY
    plugin = plugin_file("xcb", env)
    if plugin is not None:
        missing = missing_libraries(plugin)
        if missing:
            return (
                f"Qt's window system plugin (xcb) cannot load: missing {', '.join(missing)}; "
                + install_hint(missing)
            )
    problem = _x_display_error(display)
    return problem + _NO_DISPLAY if problem else None


def check_gui_platform() -> None:
    """Raise ``UserError`` (one line, exit 2 on the command line) when the window cannot open."""
    problem = platform_problem()
    if problem:
        raise UserError(problem)
