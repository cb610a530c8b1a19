"""What every app shares and no app owns: money, spreadsheet escaping, domain errors, the workflow path.

`core` imports no app of Sahulat (an import-linter contract in pyproject.toml keeps it so)."""
