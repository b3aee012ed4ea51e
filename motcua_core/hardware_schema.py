"""The hardware map's schema: which keys each driver reads, their types and allowed values (issue #14).

The hub checks a hardware map pushed from the console or CLI against this before storing it, so a typo
is refused with its path named instead of a device that starts without its printer. Drivers (devicekit)
keep their own parsing; this file lists what they read, and tests/devicekit/test_hardware_schema.py
builds each driver from a map that passes here."""

from __future__ import annotations

from typing import Any

Num = (int, float)
# key -> field -> (types, allowed values or None). "type" selects the variant where a driver has several.
SCHEMA: dict[str, dict[str, tuple[tuple[type, ...] | type, tuple | None]]] = {
    "printer": {"type": (str, ("usb", "serial", "network", "file", "sim")), "vendor": ((str, int), None),
                "product": ((str, int), None), "port": ((str, int), None), "baudrate": (int, None),
                "host": (str, None), "timeout": (Num, None), "path": (str, None), "dir": (str, None),
                "state": (str, None), "state_file": (str, None), "paper_mm": (int, (58, 80)), "width": (int, None),
                "read_status": (bool, None)},
    "scanner": {"type": (str, ("serial",)), "port": (str, None), "baudrate": (int, None)},
    "camera": {"type": (str, ("opencv", "files")), "index": (int, None), "dir": (str, None)},
    "keypad": {"pins": (dict, None), "indicator": (int, None), "mock": (bool, None)},
    "led": {"bus": (str, None), "width": (int, (64, 96, 128, 192)), "height": (int, (16, 32, 64)),
            "brightness": (int, tuple(range(16))), "idle": (str, ("counter", "blank")), "boards": (dict, None),
            "baudrate": (int, None)},
    "audio": {"out": (str, None), "dialect": (str, ("north", "south")), "voice_pack": (str, None),
              "repeats": (int, (1, 2, 3)), "stale_after_s": (Num, None), "amp_pin": (int, None),
              "amp_warmup_s": (Num, None), "amp_idle_off_s": (Num, None)},
    "screen": {"width": (int, None), "height": (int, None), "touch": (bool, None)},
}
REQUIRED = {("printer", "usb"): ("vendor", "product"), ("printer", "network"): ("host",),
            ("printer", "file"): ("path",), ("scanner", "serial"): ("port",), ("camera", "files"): ("dir",),
            ("led", None): ("bus",), ("keypad", None): ("pins",)}
KEYPAD_KEYS = ("next", "recall", "skip", "done")
# What a running app picks up when the hub pushes a new map: a whole entry (None: the kiosk rebuilds its
# printer at the next ticket) or some fields (the lobby's LED boards); any other change restarts the app
# (under systemd) to apply it.
LIVE: dict[str, tuple[str, ...] | None] = {"printer": None, "led": ("brightness", "idle", "boards")}


def validate(hardware: Any) -> list[str]:
    """Every problem of a hardware map, each naming its path (empty: the map is good)."""
    if not isinstance(hardware, dict):
        return ["hardware: must be a JSON object"]
    errors = []
    for key, entry in hardware.items():
        fields = SCHEMA.get(key)
        if fields is None:
            errors.append(f"hardware.{key}: unknown device (known: {', '.join(SCHEMA)})")
            continue
        if not isinstance(entry, dict):
            errors.append(f"hardware.{key}: must be an object")
            continue
        for name, value in entry.items():
            spec = fields.get(name)
            if spec is None:
                errors.append(f"hardware.{key}.{name}: unknown field (known: {', '.join(fields)})")
                continue
            types, allowed = spec
            if isinstance(value, bool) and types is not bool or not isinstance(value, types):
                errors.append(f"hardware.{key}.{name}: wrong type")
            elif allowed is not None and value not in allowed:
                errors.append(f"hardware.{key}.{name}: {value!r} is not one of {', '.join(map(str, allowed))}")
        for need in REQUIRED.get((key, entry.get("type")), ()) + REQUIRED.get((key, None), ()):
            if need not in entry:
                errors.append(f"hardware.{key}.{need}: required")
        if key == "keypad" and isinstance(entry.get("pins"), dict):
            for k, pin in entry["pins"].items():
                if k not in KEYPAD_KEYS or isinstance(pin, bool) or not isinstance(pin, int):
                    errors.append(f"hardware.keypad.pins.{k}: keys {', '.join(KEYPAD_KEYS)}, each a GPIO number")
    return errors


def needs_restart(old: dict, new: dict) -> list[str]:
    """The entries whose change a running app cannot pick up (the device restarts its app for those)."""
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key) or {}, new.get(key) or {}
        if a == b or (key in LIVE and LIVE[key] is None):
            continue
        changed = {f for f in set(a) | set(b) if a.get(f) != b.get(f)}
        if not a or not b or changed - set(LIVE.get(key) or ()):
            out.append(key)
    return out
