"""Run a Kivy app in its own process on the test X screen and drive it like a person would.

Kivy allows one app per process, so each UI test starts a child: `python -m tests.support.kivyrun spec.json`.
The spec names a factory ("module:function", called with `args`, returning an App not yet running) and
a list of steps the child performs on the Kivy thread, one after another:

    {"wait": "tid"}                       until a widget with that test id is on screen (default 20 s)
    {"wait_text": ["tid", "text"]}        until that widget's text contains `text`
    {"wait_gone": "tid"}                  until no such widget is on screen
    {"wait_file": "dir/*.wav", "count": 2}  until that many files (default 1) match (a WAV, an LED frame)
    {"text": ["tid", "Nguyễn"], "enter": true}  sets a text field as a physical keyboard would (issue #5)
    {"tap": "tid"}                        a simulated touch (down + up) at the widget's centre
    {"taps": ["tid", …]}                  several taps, one frame apart
    {"double_tap": "tid"}                 two quick touches, as an impatient finger does
    {"keys": "dang ky"}                   taps on the on-screen keyboard keys `key:<char>` (space → key:space)
    {"screenshot": "name"}                saves <artifacts>/<name>.png (the whole window)
    {"state": "label"}                    records {tid: text} of every widget with a tid on screen
    {"bounds": "label"}                   records {tid: [x, y, width, height, text width, text height, font px]}
                                          in window pixels, and the window size under "_window" (is it cut?)
    {"lines": "label"}                    records {tid: [raw text with markup, [each line Kivy drew]]} (a word
                                          broken across lines shows as lines that do not rejoin into the text)
    {"sleep": 0.5}
    {"mark": "name"} / {"await": "name"}  hand-over points with the test process (see KivyRun.wait_mark/go)

The child writes result.json (states, marks, error) and exits; widget states come back to the test as JSON.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_WAIT_S = 20.0


@dataclass
class KivyRun:
    """The test side: start the child, meet it at marks, collect its result."""

    factory: str
    args: list
    steps: list[dict]
    env: dict
    artifacts: Path
    workdir: Path
    size: tuple[int, int] = (1280, 800)
    timeout: float = 120.0
    proc: subprocess.Popen | None = None
    result: dict = field(default_factory=dict)

    def start(self) -> KivyRun:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.artifacts.mkdir(parents=True, exist_ok=True)
        spec = {"factory": self.factory, "args": self.args, "steps": self.steps, "artifacts": str(self.artifacts),
                "ctl": str(self.workdir / "ctl"), "result": str(self.workdir / "result.json"), "size": self.size}
        (self.workdir / "ctl").mkdir(exist_ok=True)
        (self.workdir / "spec.json").write_text(json.dumps(spec, ensure_ascii=False))
        env = {**self.env, "KIVY_HOME": str(self.workdir / "kivy-home"), "KIVY_LOG_MODE": "PYTHON"}
        root = Path(__file__).resolve().parents[2]
        env["PYTHONPATH"] = f"{root}{os.pathsep}{env.get('PYTHONPATH', '')}"
        self.log = open(self.workdir / "child.log", "wb")  # noqa: SIM115 - closed in finish()
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.support.kivyrun", str(self.workdir / "spec.json")],
                                     env=env, cwd=str(self.workdir), stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def wait_mark(self, name: str, timeout: float = 60.0) -> None:
        path = self.workdir / "ctl" / f"{name}.mark"
        deadline = time.monotonic() + timeout
        while not path.exists():
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"kivy app exited before mark {name!r}: {self._error()}\n{self.child_log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"kivy app never reached mark {name!r}:\n{self.child_log()}")
            time.sleep(0.05)

    def go(self, name: str) -> None:
        (self.workdir / "ctl" / f"{name}.go").write_text("go")

    def finish(self) -> dict:
        assert self.proc is not None
        try:
            self.proc.wait(self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError(f"kivy app did not finish in {self.timeout} s:\n{self.child_log()}") from None
        finally:
            self.log.close()
        path = self.workdir / "result.json"
        if not path.exists():
            raise AssertionError(f"kivy app died (exit {self.proc.returncode}):\n{self.child_log()}")
        self.result = json.loads(path.read_text())
        if self.result.get("error"):
            raise AssertionError(f"UI scenario failed: {self.result['error']}\n{self.child_log()}")
        return self.result

    def _error(self) -> str:
        path = self.workdir / "result.json"
        return json.loads(path.read_text()).get("error") or "" if path.exists() else "(no result)"

    def child_log(self) -> str:
        text = (self.workdir / "child.log").read_text(errors="replace")
        return text[-6000:]


# --- the child --------------------------------------------------------------------------------------

def _walk(widget):
    """Widgets a person can see: of a ScreenManager only its current screen (during a switch both
    screens are briefly in the tree)."""
    from kivy.uix.screenmanager import ScreenManager

    yield widget
    if isinstance(widget, ScreenManager):
        if widget.current_screen is not None:
            yield from _walk(widget.current_screen)
        return
    for child in widget.children:
        yield from _walk(child)


def find(window, tid: str):
    for root in window.children:
        for w in _walk(root):
            if getattr(w, "tid", None) == tid and w.get_root_window() is not None:
                return w
    return None


def visible_bounds(window) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"_window": [0, 0, float(window.width), float(window.height), 0, 0, 0]}
    for root in window.children:
        for w in _walk(root):
            tid = getattr(w, "tid", "")
            if tid:
                x, y = w.to_window(w.x, w.y)
                tw, th = getattr(w, "texture_size", (0, 0))
                px = getattr(w, "font_size", 0) if getattr(w, "text", "") else 0
                out[tid] = [float(x), float(y), float(w.width), float(w.height), float(tw), float(th), float(px)]
    return out


def visible_lines(window) -> dict[str, list]:
    out: dict[str, list] = {}
    for root in window.children:
        for w in _walk(root):
            tid = getattr(w, "tid", "")
            core = getattr(w, "_label", None)
            if tid and core is not None:
                drawn = ["".join(word.text for word in line.words)
                         for line in getattr(core, "_cached_lines", []) or []]
                out[tid] = [str(w.text), drawn]
    return out


def visible_state(window) -> dict[str, str]:
    out: dict[str, str] = {}
    for root in window.children:
        for w in _walk(root):
            tid = getattr(w, "tid", "")
            if tid:  # a widget's plain words when it has them (buttons with icon markup)
                out[tid] = str(getattr(w, "label", "") or getattr(w, "text", ""))
    return out


class _Driver:
    def __init__(self, spec: dict, app):
        self.spec = spec
        self.app = app
        self.steps = list(spec["steps"])
        self.result: dict = {"states": {}, "done": [], "error": None, "screenshots": []}
        self.step_started = time.monotonic()
        self.wait_until = 0.0

    def start(self) -> None:
        from kivy.clock import Clock

        Clock.schedule_interval(self.tick, 0.05)

    def _fail(self, message: str) -> None:
        self.result["error"] = message
        self._end()

    def _end(self) -> None:
        from kivy.app import App

        Path(self.spec["result"]).write_text(json.dumps(self.result, ensure_ascii=False, indent=1))
        App.get_running_app().stop()

    def tick(self, _dt):
        from kivy.core.window import Window
        from kivy.tests.common import UnitTestTouch

        if self.result["error"] is not None or not self.steps:
            if not self.steps and self.result["error"] is None:
                self._end()
            return False
        now = time.monotonic()
        if now < self.wait_until:
            return True
        step = self.steps[0]
        kind, arg = next(iter(step.items()))
        if kind in ("tap", "keys"):  # taps on widgets, with a gap between them
            tids = [arg] if kind == "tap" else ["key:space" if ch == " " else f"key:{ch}" for ch in str(arg)]
            step = self.steps[0] = {"taps": tids, "gap": 0.15, **{k: v for k, v in step.items() if k == "timeout"}}
            kind, arg = "taps", tids
        timeout = float(step.get("timeout", DEFAULT_WAIT_S))
        done = True
        try:
            if kind == "wait":
                done = find(Window, arg) is not None
            elif kind == "wait_text":
                w = find(Window, arg[0])
                done = w is not None and arg[1] in str(getattr(w, "label", "") or w.text)
            elif kind == "text":  # what a physical keyboard (with a Vietnamese input method) would type
                w = find(Window, arg[0])
                if w is None:
                    done = False
                else:
                    w.text = arg[1]
                    if step.get("enter") and hasattr(w, "dispatch"):
                        w.dispatch("on_text_validate")
            elif kind == "wait_gone":
                done = find(Window, arg) is None
            elif kind == "wait_file":  # until `count` files (default 1) match the path's pattern
                pattern = Path(arg)
                done = len(list(pattern.parent.glob(pattern.name))) >= int(step.get("count", 1))
            elif kind == "taps":
                w = find(Window, arg[0])
                if w is None:
                    done = False
                else:
                    x, y = w.to_window(w.center_x, w.center_y)
                    touch = UnitTestTouch(x, y)
                    touch.touch_down()
                    touch.touch_up()
                    step["taps"] = arg = arg[1:]
                    self.step_started = now
                    self.wait_until = now + float(step.get("gap", 0.15))
                    done = not arg
            elif kind == "double_tap":  # two touches at the same spot one frame apart, whatever the first did
                if "_pos" not in step:
                    w = find(Window, arg)
                    if w is None:
                        done = False
                    else:
                        step["_pos"] = w.to_window(w.center_x, w.center_y)
                        touch = UnitTestTouch(*step["_pos"])
                        touch.touch_down()
                        touch.touch_up()
                        done = False
                else:
                    touch = UnitTestTouch(*step["_pos"])
                    touch.touch_down()
                    touch.touch_up()
                    self.wait_until = now + 0.15
            elif kind == "screenshot":
                if "_shot" not in step:
                    base = Path(self.spec["artifacts"]) / arg
                    step["_shot"] = Window.screenshot(name=str(base) + ".png")
                    self.wait_until = now + 0.3
                    done = False
                else:
                    produced = Path(step["_shot"])
                    done = produced.exists()
                    if done:
                        final = Path(self.spec["artifacts"]) / f"{arg}.png"
                        produced.replace(final)
                        self.result["screenshots"].append(str(final))
            elif kind == "state":
                self.result["states"][arg] = visible_state(Window)
            elif kind == "lines":
                self.result.setdefault("lines", {})[arg] = visible_lines(Window)
            elif kind == "bounds":
                self.result.setdefault("bounds", {})[arg] = visible_bounds(Window)
            elif kind == "sleep":
                if "_until" not in step:
                    step["_until"] = now + float(arg)
                done = now >= step["_until"]
            elif kind == "mark":
                (Path(self.spec["ctl"]) / f"{arg}.mark").write_text("1")
            elif kind == "await":
                done = (Path(self.spec["ctl"]) / f"{arg}.go").exists()
                timeout = float(step.get("timeout", 90))
            else:
                self._fail(f"unknown step {step!r}")
                return False
        except Exception as exc:  # report, do not hang
            import traceback

            self._fail(f"step {step!r} raised {exc!r}\n{traceback.format_exc()}")
            return False
        if done:
            self.result["done"].append({k: v for k, v in step.items() if not k.startswith("_")})
            self.steps.pop(0)
            self.step_started = now
        elif now - self.step_started > timeout:
            state = visible_state(Window)
            self._fail(f"step {step!r} timed out after {timeout} s; on screen: {json.dumps(state, ensure_ascii=False)}")
            return False
        return True


def child_main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    w, h = spec.get("size") or (1280, 800)
    from kivy.config import Config

    Config.set("graphics", "width", str(w))
    Config.set("graphics", "height", str(h))
    Config.set("graphics", "resizable", "0")
    Config.set("input", "mouse", "")  # no real mouse on Xvfb; touches are simulated
    module, func = spec["factory"].split(":")
    app = getattr(importlib.import_module(module), func)(*spec.get("args", []))
    driver = _Driver(spec, app)
    from kivy.clock import Clock

    Clock.schedule_once(lambda *_: driver.start(), 0.5)
    app.run()
    if not Path(spec["result"]).exists():  # the app stopped by itself
        driver.result["error"] = driver.result["error"] or "app stopped before the scenario ended"
        Path(spec["result"]).write_text(json.dumps(driver.result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(child_main(sys.argv[1]))
