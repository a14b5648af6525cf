"""Contract review: clause extraction with exact quotes, key terms, playbook checks, explanations."""
