"""Voice packs: the WAV clips an announcement is assembled from, and building the default one.

Layout of a pack directory (a recorded human voice uses the same layout and replaces the default
without code changes — point `hardware.voice_pack` at it):

    pack.json                  {"name": "...", "dialect": "north" | "south"}
    chime.wav                  optional; a synthesised ding-dong is used when absent
    phrases/intro.wav          "Mời công dân có số thứ tự"
    phrases/to_counter.wav     "đến quầy số"
    words/<telex>.wav          one spoken word each, named in Telex: mootj.wav (một), muwowi.wav (mươi) …

All clips are 16-bit mono WAV of one sample rate. The default pack is synthesised by espeak-ng (voice
`vi` for the north, `vi-vn-x-south` for the south) on first use, into a cache directory, in ~2 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from devicekit.drivers.audio import AudioError, Pcm, chime, read_wav, silence, trim_silence, write_wav
from display_controller.numbers import DIALECTS, DIGITS, LETTER_NAMES
from display_controller.sentence import CHIME, PHRASES, Announcement, telex

ESPEAK_VOICES = {"north": "vi", "south": "vi-vn-x-south"}
ESPEAK_SPEED = 140  # words per minute: slower than espeak's 175 default, for a hall with echo
WORD_GAP_S = 0.05
PART_GAP_S = 0.18
AFTER_CHIME_S = 0.35
REPEAT_GAP_S = 0.9


def all_words() -> list[str]:
    """Every word a number or ticket reading can produce, in both dialects."""
    words = set(DIGITS) | {"mười", "mươi", "mốt", "tư", "lăm", "nhăm", "trăm"}
    for d in DIALECTS.values():
        words |= {d.thousand, d.zero_tens}
    words |= set(LETTER_NAMES.values())
    return sorted(words)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base) / "motcua" / "voicepacks"


class VoicePackError(AudioError):
    pass


@dataclass
class VoicePack:
    path: Path
    name: str
    dialect: str
    rate: int = 0
    _cache: dict[str, Pcm] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path) -> VoicePack:
        path = Path(path)
        meta_file = path / "pack.json"
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise VoicePackError(f"{meta_file}: not a voice pack ({exc})") from None
        if meta.get("dialect") not in DIALECTS:
            raise VoicePackError(f"{meta_file}: 'dialect' must be north or south")
        pack = cls(path, str(meta.get("name", path.name)), meta["dialect"])
        missing = [w for w in pack.required_clips() if not pack.clip_path(w).is_file()]
        if missing:
            raise VoicePackError(f"voice pack {path} lacks {len(missing)} clip(s), e.g. "
                                 f"{', '.join(str(pack.clip_path(m).relative_to(path)) for m in missing[:5])}")
        pack.rate = pack.clip("phrase:intro").rate
        return pack

    def required_clips(self) -> list[str]:
        d = DIALECTS[self.dialect]
        words = set(DIGITS) | {"mười", "mươi", "mốt", "lăm", "trăm", d.thousand, d.zero_tens,
                               d.four_after_tens, d.four_after_zero_tens, d.five_after_tens}
        return [f"phrase:{p}" for p in PHRASES] + [f"word:{telex(w)}" for w in sorted(words)]

    def clip_path(self, clip_id: str) -> Path:
        if clip_id == CHIME:
            return self.path / "chime.wav"
        kind, _, name = clip_id.partition(":")
        return self.path / {"phrase": "phrases", "word": "words"}[kind] / f"{name}.wav"

    def clip(self, clip_id: str) -> Pcm:
        if clip_id in self._cache:
            return self._cache[clip_id]
        path = self.clip_path(clip_id)
        if clip_id == CHIME and not path.is_file():
            pcm = chime(self.rate or 22050)
        elif not path.is_file():
            raise VoicePackError(f"voice pack {self.path} has no clip {path.relative_to(self.path)}")
        else:
            pcm = read_wav(path)
        if self.rate and pcm.rate != self.rate:
            raise VoicePackError(f"{path}: sample rate {pcm.rate} Hz differs from the pack's {self.rate} Hz")
        self._cache[clip_id] = pcm
        return pcm

    def render(self, ann: Announcement, repeats: int = 1) -> Pcm:
        """Concatenate the clips: chime, then the sentence `repeats` times, with natural pauses."""
        rate = self.rate
        parts: list[bytes] = []
        sentence = [c for c in ann.clips if c != CHIME]
        if CHIME in ann.clips:
            parts += [self.clip(CHIME).data, silence(AFTER_CHIME_S, rate)]
        for r in range(max(1, repeats)):
            if r:
                parts.append(silence(REPEAT_GAP_S, rate))
            for i, cid in enumerate(sentence):
                if i:
                    gap = PART_GAP_S if cid.startswith("phrase:") or sentence[i - 1].startswith("phrase:") \
                        else WORD_GAP_S
                    parts.append(silence(gap, rate))
                parts.append(self.clip(cid).data)
        return Pcm(b"".join(parts), rate)


# --- building the default pack with espeak-ng -----------------------------------------------------

def _espeak(text: str, voice: str, out: Path) -> None:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise VoicePackError("espeak-ng is not installed (apt-get install espeak-ng): it makes the default "
                             "voice pack")
    proc = subprocess.run([exe, "-v", voice, "-s", str(ESPEAK_SPEED), "-w", str(out), text],
                          capture_output=True, text=True, timeout=30)
    if proc.returncode != 0 or not out.is_file():
        raise VoicePackError(f"espeak-ng failed for {text!r} with voice {voice}: {proc.stderr.strip()}")


def build_espeak_pack(dest: Path, dialect: str) -> VoicePack:
    """Synthesise every clip into `dest` (atomically: a half-built pack is never left behind)."""
    if dialect not in ESPEAK_VOICES:
        raise ValueError(f"unknown dialect {dialect!r}")
    voice = ESPEAK_VOICES[dialect]
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        (tmp / "phrases").mkdir()
        (tmp / "words").mkdir()
        raw = tmp / "raw.wav"
        rate = 0
        jobs = [(f"phrases/{k}.wav", v) for k, v in PHRASES.items()]
        jobs += [(f"words/{telex(w)}.wav", w.replace("-", " ")) for w in all_words()]
        for rel, text in jobs:
            _espeak(text, voice, raw)
            pcm = trim_silence(read_wav(raw))
            rate = pcm.rate
            write_wav(tmp / rel, pcm)
        raw.unlink()
        write_wav(tmp / "chime.wav", chime(rate))
        meta = {"name": f"espeak-ng {voice}", "dialect": dialect, "generator": "espeak-ng",
                "note": "synthesised; replace with a recorded pack of the same layout for a human voice"}
        (tmp / "pack.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return VoicePack.load(dest)


def default_pack(dialect: str, cache_dir: Path | None = None) -> VoicePack:
    """The espeak-ng pack for a dialect, built into the cache on first use."""
    path = (cache_dir or default_cache_dir()) / f"espeak-{dialect}"
    if (path / "pack.json").is_file():
        try:
            return VoicePack.load(path)
        except VoicePackError:
            pass  # damaged or from an older layout: rebuild
    return build_espeak_pack(path, dialect)


def open_pack(spec: str | Path | None, dialect: str, cache_dir: Path | None = None) -> VoicePack:
    """A configured pack directory, or the default espeak-ng pack for the dialect."""
    if spec:
        pack = VoicePack.load(Path(spec))
        if pack.dialect != dialect:
            raise VoicePackError(f"voice pack {spec} is {pack.dialect}, but the {dialect} dialect was asked for")
        return pack
    return default_pack(dialect, cache_dir)
