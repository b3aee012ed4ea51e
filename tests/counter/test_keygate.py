"""Keypad rules (pure): bounce, held keys and double presses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from devicekit.drivers.gpio import KeyGate


def test_one_press_fires_once_even_when_held() -> None:
    g = KeyGate(bounce_s=0.03, lockout_s=0.6)
    assert g.press("next", 10.0)
    assert not g.press("next", 12.0)  # still held (no release seen): never repeats
    g.release("next", 15.0)
    assert g.press("next", 16.0)


def test_contact_bounce_is_ignored() -> None:
    g = KeyGate(bounce_s=0.03, lockout_s=0.0)
    assert g.press("done", 1.000)
    g.release("done", 1.005)  # bounce: ignored, the key still counts as down
    assert not g.press("done", 1.010)
    g.release("done", 1.200)
    assert g.press("done", 1.300)


def test_double_tap_calls_one_citizen() -> None:
    g = KeyGate(bounce_s=0.03, lockout_s=0.6)
    assert g.press("next", 5.0)
    g.release("next", 5.1)
    assert not g.press("next", 5.3)  # a reflex second tap
    g.release("next", 5.4)
    assert not g.press("skip", 5.5)  # any key, during the lock-out
    g.release("skip", 5.55)
    assert g.press("recall", 5.7)


@given(st.lists(st.tuples(st.sampled_from(["press", "release"]), st.floats(0, 0.5)), max_size=60))
def test_never_two_actions_closer_than_the_lockout(events: list[tuple[str, float]]) -> None:
    g = KeyGate(bounce_s=0.03, lockout_s=0.6)
    t, fired = 0.0, []
    for kind, dt in events:
        t += dt
        if kind == "press":
            if g.press("next", t):
                fired.append(t)
        else:
            g.release("next", t)
    assert all(b - a >= 0.6 for a, b in zip(fired, fired[1:], strict=False))
