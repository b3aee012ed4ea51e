"""The `motcua` command: one entry point for every role. Heavy imports happen inside each command."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

from motcua_core.stopping import stop_on


def _device_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, required=True, help="device config file from `motcua hub device add`")
    p.add_argument("--simulate", action="store_true", help="run headless with simulated people (no screen)")
    p.add_argument("-v", "--verbose", action="store_true")


def _start_session(args: argparse.Namespace, role: str, before_start=None):
    """Load the config and connect. `before_start(session)` wires callbacks first, so nothing the broker
    sends at once (retained state, messages queued while the device was off) arrives before them."""
    from devicekit.session import DeviceSession
    from motcua_core.device_config import ConfigError, DeviceConfig

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _first_boot(args)
    try:
        cfg = DeviceConfig.load(args.config)
    except (ConfigError, OSError) as exc:
        raise SystemExit(f"error: {args.config}: {exc}") from None
    if cfg.role != role and not (role == "kiosk" and cfg.role in ("voting", "lookup")):
        raise SystemExit(f"error: {args.config} is for a {cfg.role} device, not a {role}")
    from provisioning.selftest import hub_hardware

    cfg.hardware = {**hub_hardware(cfg), **cfg.hardware}  # the map pushed from the console; the file wins
    session = DeviceSession(cfg)
    from provisioning.fleetcmd import attach

    attach(session, args.config)  # issue #14: the hub may ask for a self-test or an update
    if before_start is not None:
        before_start(session)
    session.start()
    if not session.wait_connected(15):
        print(f"warning: broker {cfg.broker_host}:{cfg.broker_port} not reachable yet; still trying",
              file=sys.stderr)
    return session


def _first_boot(args: argparse.Namespace) -> None:
    """No config file yet on a screen role: the enrolment screen asks for the code (issue #14)."""
    if not getattr(args, "first_boot", False) or args.config.exists() or getattr(args, "simulate", False) \
            or getattr(args, "headless", False):
        return
    from devicekit.ui.enrol import ensure_enrolled

    ensure_enrolled(args.config, size=getattr(args, "size", "1280x800"), fullscreen=getattr(args, "fullscreen", False))


def _stop_event() -> threading.Event:
    return stop_on(threading.Event())


def _no_ui(role: str, issue: int) -> int:
    print(f"The {role} touch screen (Kivy) is not built yet (issue #{issue}). Run it headless with --simulate.",
          file=sys.stderr)
    return 2


def cmd_counter(args: argparse.Namespace) -> int:
    from counter_terminal.core import CounterCore

    session = _start_session(args, "counter")
    try:
        if args.simulate:
            from counter_terminal import simulate

            login = (args.officer, args.pin) if args.officer and args.pin else None
            simulate.run(CounterCore(session), _stop_event(), login=login, mean_service_s=args.service_s)
        else:
            from devicekit.ui.window import configure_window

            configure_window(args.fullscreen, args.size)
            from counter_terminal.app import run_app

            run_app(session, fullscreen=args.fullscreen, size=args.size)
    finally:
        session.stop()
    return 0


def cmd_display(args: argparse.Namespace) -> int:
    if getattr(args, "display_cmd", None):
        return int(args.display_func(args) or 0)
    if args.config is None:
        print("error: motcua display needs --config FILE (or a subcommand: say, voicepack)", file=sys.stderr)
        return 2
    from display_controller.core import DisplayCore
    from display_controller.runtime import DisplayRuntime
    from motcua_core.device_config import DeviceConfig

    cores: list[DisplayCore] = []

    def wire(session) -> None:
        cores.append(DisplayCore(session, stale_after_s=float(
            (session.config.hardware.get("audio") or {}).get("stale_after_s", 60))))

    session = _start_session(args, "display", wire)
    core = cores[0]
    runtime = None
    try:
        from devicekit.drivers.audio import AudioError
        from devicekit.drivers.led import LedError

        try:
            runtime = DisplayRuntime(core, session.config.hardware).start()
        except (AudioError, LedError, ValueError) as exc:
            print(f"error: {args.config}: hardware: {exc}", file=sys.stderr)
            return 2
        session.health_fn = runtime.health
        runtime.follow_hub(DeviceConfig.load(args.config).hardware)  # issue #14: the file wins over the hub
        if args.simulate or args.headless:
            from display_controller import simulate

            simulate.run(core, _stop_event(), runtime=runtime)
        else:
            from devicekit.ui.window import configure_window

            configure_window(args.fullscreen, args.size)
            from display_controller.app import run_app

            run_app(core, runtime)
    finally:
        if runtime is not None:
            runtime.stop()
        session.stop()
    return 0


def cmd_display_say(args: argparse.Namespace) -> int:
    """Build (and play or write) one announcement, with no hub: for the technician and the tests."""
    from devicekit.drivers.audio import AlsaSink, AudioError, write_wav
    from display_controller.numbers import dialect
    from display_controller.sentence import build
    from display_controller.voicepack import open_pack

    try:
        ann = build(args.number, args.counter, dialect(args.dialect))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.text:
        print(ann.text)
        if not args.out:
            return 0
    try:
        pack = open_pack(args.voice_pack, args.dialect, args.cache)
        pcm = pack.render(ann, args.repeats)
        if args.out:
            write_wav(args.out, pcm)
            print(f"{args.out}: {pcm.seconds:.1f} s, {pcm.rate} Hz ({pack.name})", file=sys.stderr)
        else:
            AlsaSink(args.device).play(pcm)
    except AudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_display_voicepack(args: argparse.Namespace) -> int:
    from devicekit.drivers.audio import AudioError
    from display_controller.voicepack import VoicePack, build_espeak_pack, default_cache_dir

    try:
        if args.voicepack_cmd == "build":
            for d in args.dialect:
                dest = (args.out or default_cache_dir()) / f"espeak-{d}"
                pack = build_espeak_pack(dest, d)
                print(f"{dest}: {pack.name}, {pack.rate} Hz")
        else:
            pack = VoicePack.load(args.path)
            print(f"{args.path}: {pack.name} ({pack.dialect}), {pack.rate} Hz, "
                  f"{len(pack.required_clips())} clips present")
    except AudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _screen_args(p: argparse.ArgumentParser, size: str) -> None:
    p.add_argument("--fullscreen", action="store_true", help="fill the screen (the deployed setting)")
    p.add_argument("--size", default=size, help=f"window size WxH when not fullscreen (default {size})")
    p.add_argument("--first-boot", action="store_true",
                   help="no config file yet: show the enrolment screen first (the installed unit passes this)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua", description="Software for a Vietnamese one-stop office.")
    sub = parser.add_subparsers(dest="cmd", required=True)

    from hub.cli import add_parser as add_hub

    add_hub(sub)

    from kiosk.cli import add_parser as add_kiosk  # issue #3: app, --simulate, print-sample

    add_kiosk(sub)

    c = sub.add_parser("counter", help="officer's counter terminal")
    _device_args(c)
    c.add_argument("--officer", help="officer username to sign in as (simulation)")
    c.add_argument("--pin", help="that officer's PIN (simulation; the hub refuses counter actions without it)")
    c.add_argument("--service-s", type=float, default=20.0, help="simulated mean service time in seconds")
    _screen_args(c, "800x480")
    c.set_defaults(func=cmd_counter)

    d = sub.add_parser("display", help="lobby display, LED boards and announcer")
    d.add_argument("--config", type=Path, help="device config file from `motcua hub device add`")
    d.add_argument("--simulate", action="store_true", help="headless: print calls, drive LED/voice outputs")
    d.add_argument("--headless", action="store_true", help="same as --simulate (no lobby screen)")
    d.add_argument("-v", "--verbose", action="store_true")
    _screen_args(d, "1280x720")
    d.set_defaults(func=cmd_display)
    dsub = d.add_subparsers(dest="display_cmd")
    say = dsub.add_parser("say", help="announce one call (no hub needed): play it, print it or write a WAV")
    say.add_argument("--number", required=True, help="ticket number, e.g. 1005 or A012")
    say.add_argument("--counter", type=int, required=True)
    say.add_argument("--dialect", choices=["north", "south"], default="north")
    say.add_argument("--text", action="store_true", help="print the exact sentence")
    say.add_argument("--out", type=Path, help="write the announcement to this WAV file instead of playing")
    say.add_argument("--repeats", type=int, default=1)
    say.add_argument("--voice-pack", type=Path, help="a recorded voice pack (default: espeak-ng, built once)")
    say.add_argument("--cache", type=Path, help="where the default voice pack is built (default ~/.cache/motcua)")
    say.add_argument("--device", default="default", help="ALSA device to play on")
    say.set_defaults(display_func=cmd_display_say)
    vp = dsub.add_parser("voicepack", help="voice packs: build the default, check a recorded one")
    vsub = vp.add_subparsers(dest="voicepack_cmd", required=True)
    vb = vsub.add_parser("build", help="synthesise the espeak-ng packs (also done lazily on first use)")
    vb.add_argument("--dialect", nargs="+", choices=["north", "south"], default=["north", "south"])
    vb.add_argument("--out", type=Path, help="directory for the packs (default ~/.cache/motcua/voicepacks)")
    vb.set_defaults(display_func=cmd_display_voicepack)
    vc = vsub.add_parser("check", help="check that a recorded pack has every clip in the right format")
    vc.add_argument("path", type=Path)
    vc.set_defaults(display_func=cmd_display_voicepack)

    from provisioning.cli import add_parser as add_provision

    add_provision(sub)

    from motcua.demo import add_parser as add_demo

    add_demo(sub)

    from motcua.bench import add_parser as add_bench

    add_bench(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
