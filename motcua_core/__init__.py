"""What the hub and the devices share: the protocol, error types, text folding, dossier codes, CCCD
parsing, the device config file, and the document renderers.

A leaf package: it imports neither `hub` nor any device package (tests/unit/test_import_graph.py), so a
counter on a Pi installs and imports none of the hub's dependencies."""
