"""Printed forms: PDF (A4/A5) and 80 mm thermal rasters."""
