"""Floor 2: the model."""
