"""Versioned prompt templates (TOML), read with ``argentier.core.llm.load_prompt``."""
