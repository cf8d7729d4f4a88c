"""Floor 4: numbers, texts, charts and exports."""
