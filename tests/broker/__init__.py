"""Tests of the hub's embedded broker."""

from tests.support.probe import Probe, try_connect

__all__ = ["Probe", "try_connect"]
