"""The kiosk's Kivy screens. Import only in a process that runs the Kivy app (Kivy opens a window)."""
