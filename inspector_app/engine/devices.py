"""The worker's devices: the CPU split into logical devices when asked, GPU memory growth, and
the list of CPU and GPU devices (name, description, memory) the ready message carries."""

from __future__ import annotations

import contextlib
from typing import Any

from inspector_app.engine.protocol import DeviceInfo


def setup_devices(tf: Any, logical_cpus: int, memory_growth: bool) -> list[DeviceInfo]:
    """Configure TensorFlow's devices (before any op runs) and list them."""
    if logical_cpus > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * logical_cpus
        )
    gpus = tf.config.list_physical_devices("GPU")
    if memory_growth:
        for gpu in gpus:
            with contextlib.suppress(RuntimeError, ValueError):
                tf.config.experimental.set_memory_growth(gpu, True)
    tf.config.set_soft_device_placement(True)
    return _list_devices(tf, gpus)


def _list_devices(tf: Any, gpus: list) -> list[DeviceInfo]:
    details: dict[str, tuple[str, int | None]] = {}
    try:  # memory limit and name of each device (one call, after the configuration)
        from tensorflow.python.client import device_lib  # noqa: PLC0415

        for attr in device_lib.list_local_devices():
            short = attr.name.split("device:")[-1]
            details[short] = (attr.physical_device_desc, int(attr.memory_limit) or None)
    except Exception:  # noqa: BLE001 - the listing is a nicety
        pass
    out = []
    for dev in tf.config.list_logical_devices():
        short = dev.name.split("device:")[-1]
        if dev.device_type not in ("CPU", "GPU"):
            continue
        desc, memory = details.get(short, ("", None))
        if dev.device_type == "GPU":
            desc = _gpu_description(tf, gpus, short, desc)
        else:
            desc = ""
            memory = None
        out.append(DeviceInfo(short, dev.device_type, desc, memory))
    return out


def _gpu_description(tf: Any, gpus: list, short: str, fallback: str) -> str:
    try:
        index = int(short.split(":")[1])
        info = tf.config.experimental.get_device_details(gpus[index])
        text = info.get("device_name", "")
        if info.get("compute_capability"):
            major, minor = info["compute_capability"]
            text += f", compute capability {major}.{minor}"
        return text or fallback
    except (IndexError, ValueError, RuntimeError):
        return fallback
