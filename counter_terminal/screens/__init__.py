"""Screens of the counter terminal. Each module holds one screen; `counter_terminal.app.SCREENS` lists
them, so a new screen (dossier intake, result return — issue #5) is a new module plus one entry."""
