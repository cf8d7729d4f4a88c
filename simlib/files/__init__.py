"""Floor 0: where files are read and written."""
