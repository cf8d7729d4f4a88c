"""Floor 3: analyses of runs."""
