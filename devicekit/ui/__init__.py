"""Kivy pieces shared by the device apps (kiosk, counter terminal, display controller): window settings,
the common widgets, requests off the Kivy thread. Import `window` before any Kivy widget module."""
