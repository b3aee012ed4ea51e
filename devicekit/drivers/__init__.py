"""Hardware drivers for the device apps: each a real driver plus a simulated one a person can inspect."""
