"""Kivy pieces shared by the device apps (counter terminal, display controller): window settings and
the common widgets. Import `window` before any Kivy widget module."""
