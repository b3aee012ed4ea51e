"""Window settings, applied before Kivy opens its window (so before importing any Kivy widget module)."""

from __future__ import annotations


def configure_window(fullscreen: bool, size: str) -> None:
    import os

    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # keep the CLI's logging set-up (-v), not Kivy's DEBUG
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our arguments are not Kivy's
    from kivy.config import Config

    # Kivy asks for 2× multisampling by default: every colour and depth buffer twice over, for screens
    # made of axis-aligned boxes and text that gain nothing from it (issue #14: ~30 MB at 1920×1080).
    Config.set("graphics", "multisamples", "0")
    if fullscreen:
        Config.set("graphics", "fullscreen", "auto")
        return
    w, sep, h = size.partition("x")
    if not (sep and w.isdigit() and h.isdigit()):
        raise SystemExit(f"error: --size must be WIDTHxHEIGHT, e.g. 800x480, not {size!r}")
    Config.set("graphics", "width", w)
    Config.set("graphics", "height", h)
