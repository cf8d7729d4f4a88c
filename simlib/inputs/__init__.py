"""Floor 1: what the model reads."""
