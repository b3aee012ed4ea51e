"""Paper in, PDF out at the counter: a document camera's photo (or a SANE scanner's page) becomes a
legible upright page (`pipeline`), the pages of one document one small PDF (`pdf`)."""
