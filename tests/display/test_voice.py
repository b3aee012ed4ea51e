"""The announcement: its sentence, its clips, the WAV, the strict queue, staleness and the amplifier."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import pytest

from devicekit.drivers.audio import Amplifier, Pcm, WavFileSink, read_wav, silence, write_wav
from display_controller.announcer import Announcer
from display_controller.numbers import NORTH, SOUTH
from display_controller.sentence import build, telex
from display_controller.voicepack import (
    AFTER_CHIME_S,
    PART_GAP_S,
    WORD_GAP_S,
    VoicePack,
    VoicePackError,
    open_pack,
)
from motcua_core import clock as wallclock


def test_sentence_and_clips_in_both_dialects() -> None:
    north = build("1005", 3, NORTH)
    assert north.text == "Mời công dân có số thứ tự một nghìn không trăm linh năm đến quầy số ba."
    assert north.clips == ("chime", "phrase:intro", "word:mootj", "word:nghinf", "word:khoong", "word:trawm",
                           "word:linh", "word:nawm", "phrase:to_counter", "word:ba")
    south = build("1024", 11, SOUTH)
    assert south.text == "Mời công dân có số thứ tự một ngàn không trăm hai mươi bốn đến quầy số mười một."
    assert telex("mười") == "muwowif" and telex("mươi") == "muwowi" and telex("lẻ") == "ler"


def test_wav_is_exactly_the_clips_in_order(north_pack: VoicePack) -> None:
    ann = build("1005", 3, NORTH)
    pcm = north_pack.render(ann, repeats=1)
    rate = north_pack.rate
    expected = [north_pack.clip("chime").data, silence(AFTER_CHIME_S, rate)]
    sentence = ann.clips[1:]
    for i, cid in enumerate(sentence):
        if i:
            phrase = cid.startswith("phrase:") or sentence[i - 1].startswith("phrase:")
            expected.append(silence(PART_GAP_S if phrase else WORD_GAP_S, rate))
        expected.append(north_pack.clip(cid).data)
    assert pcm.data == b"".join(expected)
    twice = north_pack.render(ann, repeats=2)
    assert 1.7 * pcm.seconds < twice.seconds < 2.2 * pcm.seconds
    # every word clip is real speech: not empty, not silence
    for cid in ann.clips[1:]:
        clip = north_pack.clip(cid)
        assert clip.seconds > 0.1 and max(abs(b) for b in memoryview(clip.data).cast("h")) > 1000, cid


def test_packs_differ_by_dialect_and_a_recorded_pack_replaces_espeak(tmp_path: Path, south_pack: VoicePack,
                                                                      north_pack: VoicePack) -> None:
    assert south_pack.clip_path("word:nganf").is_file() and south_pack.dialect == "south"
    # A "recorded" pack: same layout, other audio (here a copy with a marker tone for one word).
    human = tmp_path / "giong-nu-ha-noi"
    shutil.copytree(north_pack.path, human)
    (human / "pack.json").write_text(json.dumps({"name": "Giọng nữ Hà Nội", "dialect": "north"}), encoding="utf-8")
    marker = Pcm(b"\x10\x27" * 4410, north_pack.rate)
    write_wav(human / "words" / "ba.wav", marker)
    pack = open_pack(human, "north")
    out = pack.render(build("1005", 3, NORTH), 1)
    assert out.data.endswith(marker.data) and pack.name == "Giọng nữ Hà Nội"
    (human / "words" / "nawm.wav").unlink()
    with pytest.raises(VoicePackError, match="nawm.wav"):
        VoicePack.load(human)
    with pytest.raises(VoicePackError, match="north"):
        open_pack(north_pack.path, "south")


def test_calls_are_spoken_in_order_without_overlap(tmp_path: Path, north_pack: VoicePack, mock_pins) -> None:
    from devicekit.drivers.gpio import relay

    amp_relay = relay(17)
    relay_on_at_play: list[bool] = []

    class Speakers(WavFileSink):
        def play(self, pcm, on_start=None):  # noqa: ANN001 - same signature as the parent
            relay_on_at_play.append(amp_relay.is_active)
            super().play(pcm, on_start)

    sink = Speakers(tmp_path, realtime=True, speedup=10)
    amp = Amplifier(amp_relay, warmup_s=0.2, idle_off_s=0.3)
    ann = Announcer(north_pack, sink, amp, repeats=1).start()
    now = wallclock.time()
    # Two counters press Next at the same moment.
    threads = [threading.Thread(target=ann.submit, args=({"call_id": i, "ticket": t, "counter": c, "at": now},))
               for i, (t, c) in enumerate((("1005", 3), ("2001", 4)), 1)]
    for th in threads:
        th.start()
        th.join()
    assert ann.wait_idle(60)
    a, b = ann.history
    assert (a.ticket, b.ticket) == ("1005", "2001")
    assert a.ended_at <= b.first_sample_at, "the second call started before the first had finished"
    assert a.warmup_s == pytest.approx(0.2) and b.warmup_s == 0.0  # the amplifier stayed on between them
    assert relay_on_at_play == [True, True], "sound was played with the amplifier off"
    # The pin's own record of its changes, not samples of it (a loaded machine can make a sampler late by more
    # than the 0.3 s idle period): on once for both calls, off once, after at least the idle period.
    pin = mock_pins.pin(17)
    deadline = time.monotonic() + 10
    while pin.state != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [bool(x.state) for x in pin.states] == [False, True, False], pin.states
    assert pin.states[-1].timestamp >= 0.3, "amplifier switched off before the idle period"
    assert [p.name for p in sink.written] == ["announcement-0001.wav", "announcement-0002.wav"]
    ann.stop()


def test_stale_calls_are_not_announced(tmp_path: Path, north_pack: VoicePack) -> None:
    ann = Announcer(north_pack, WavFileSink(tmp_path), repeats=1, stale_after_s=30).start()
    ann.submit({"call_id": 1, "ticket": "1001", "counter": 1, "at": wallclock.time() - 120})
    ann.submit({"call_id": 2, "ticket": "1002", "counter": 1, "at": wallclock.time()})
    assert ann.wait_idle(30)
    assert [s.ticket for s in ann.history] == ["1002"] and ann.skipped_stale == 1
    ann.stop()


def _motcua(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motcua.cli", *args], capture_output=True, text=True, timeout=120)


def test_say_standalone(tmp_path: Path, voice_cache: Path) -> None:
    text = _motcua("display", "say", "--number", "1005", "--counter", "3", "--dialect", "south", "--text")
    assert text.returncode == 0
    assert text.stdout.strip() == "Mời công dân có số thứ tự một ngàn không trăm lẻ năm đến quầy số ba."
    out = tmp_path / "call.wav"
    wav = _motcua("display", "say", "--number", "1005", "--counter", "3", "--out", str(out), "--cache",
                  str(voice_cache))
    assert wav.returncode == 0, wav.stderr
    with wave.open(str(out)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getnframes() / w.getframerate() > 4
    assert read_wav(out).data.startswith(open_pack(None, "north", voice_cache).clip("chime").data[:2000])
    bad = _motcua("display", "say", "--number", "12345", "--counter", "3", "--text")
    assert bad.returncode == 2 and "0 to 9999" in bad.stderr


@pytest.mark.skipif(shutil.which("aplay") is None, reason="alsa-utils not installed")
def test_say_without_a_sound_card_fails_clearly(voice_cache: Path) -> None:
    if subprocess.run(["aplay", "-l"], capture_output=True).returncode == 0 and \
            "card" in subprocess.run(["aplay", "-l"], capture_output=True, text=True).stdout:
        pytest.skip("this machine has a sound card")
    r = _motcua("display", "say", "--number", "7", "--counter", "1", "--cache", str(voice_cache),
                "--device", "hw:9,0")
    assert r.returncode == 1 and "--out" in r.stderr and "sound card" in r.stderr


def test_wav_output_numbers_on_after_a_restart(tmp_path: Path) -> None:
    """Issue #13: `wav:` output restarted its numbering and overwrote earlier announcements."""
    from display_controller.runtime import make_sink

    out = tmp_path / "calls"
    out.mkdir()
    first = make_sink(f"wav:{out}")
    first.play(Pcm(silence(0.05, 16000), 16000))
    first.play(Pcm(silence(0.10, 16000), 16000))
    before = {p.name: p.read_bytes() for p in out.glob("*.wav")}
    again = make_sink(f"wav:{out}")  # the display controller started again
    again.play(Pcm(silence(0.20, 16000), 16000))
    assert sorted(p.name for p in out.glob("*.wav")) == [
        "announcement-0001.wav", "announcement-0002.wav", "announcement-0003.wav"]
    assert all((out / name).read_bytes() == data for name, data in before.items()), "an announcement was overwritten"
