"""The habit catalog, badges and challenge templates, as TOML data files."""
