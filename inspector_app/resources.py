"""Find the files in resources/: in the source tree, a PyInstaller bundle or an installed package.

The same relative names work everywhere (``resource_path("icons", "app.svg")``); a name that is
not there raises ``ResourceNotFound`` saying where it looked. No Qt, no TensorFlow.
"""

from __future__ import annotations

import sys
from pathlib import Path

import inspector_app

DEMO_MODELS = ("mnist_softmax", "shapes_segmentation")
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


class ResourceNotFound(FileNotFoundError):
    """A resource the program expects is missing: a broken install or a typo in its name."""


def resource_roots() -> list[Path]:
    """The folders that may hold ``resources/``, in the order they are searched."""
    roots = []
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:  # a PyInstaller bundle
        roots.append(Path(meipass) / "resources")
    roots.append(Path(inspector_app.__file__).resolve().parents[1] / "resources")  # source tree
    roots.append(Path(sys.prefix) / "share" / "savedmodel-inspector" / "resources")  # installed
    return roots


def resources_dir() -> Path:
    """The first existing resources folder; ResourceNotFound if there is none."""
    for root in resource_roots():
        if root.is_dir():
            return root
    looked = ", ".join(str(r) for r in resource_roots())
    raise ResourceNotFound(f"no resources folder found (looked in {looked}); reinstall the app")


def resource_path(*parts: str) -> Path:
    """The path of resources/<parts...>; ResourceNotFound when it does not exist."""
    if not parts or any(not p or Path(p).is_absolute() or ".." in Path(p).parts for p in parts):
        raise ValueError(f"bad resource name: {parts!r}")
    root = resources_dir()
    path = root.joinpath(*parts)
    if not path.exists():
        raise ResourceNotFound(f"resource {'/'.join(parts)!r} not found in {root}")
    return path


def demo_model_paths() -> list[Path]:
    """The bundled demo SavedModel folders, digits classifier first."""
    return [resource_path("demo_models", name) for name in DEMO_MODELS]


def sample_path(name: str) -> Path:
    """A sample input from resources/samples, e.g. ``sample_path("digit_7.png")``."""
    return resource_path("samples", name)


def app_icon_path(size: int | None = None) -> Path:
    """The application icon: the SVG by default, else the PNG rendered at ``size`` pixels."""
    if size is None:
        return resource_path("icons", "app.svg")
    if size not in ICON_SIZES:
        raise ValueError(f"no {size}px icon; sizes are {', '.join(map(str, ICON_SIZES))}")
    return resource_path("icons", f"app_{size}.png")


# The sample each demo signature starts with, so that Run gives a real answer at once.
DEMO_SAMPLES: dict[str, dict[str, dict[str, str]]] = {
    "mnist_softmax": {"serving_default": {"images": "digit_7.npy"}},
    "shapes_segmentation": {"serving_default": {"image": "shapes_3.png"}},
}


def demo_sample_inputs(model_dir: str | Path, signature: str) -> dict[str, Path]:
    """The sample inputs for ``signature`` of a bundled demo model ({} for any other model)."""
    model_dir = Path(model_dir).resolve()
    for name, signatures in DEMO_SAMPLES.items():
        try:
            if model_dir != resource_path("demo_models", name).resolve():
                continue
            return {k: sample_path(v) for k, v in signatures.get(signature, {}).items()}
        except (ResourceNotFound, ValueError):
            continue
    return {}
