"""Rapport service: HTTP API, pure domain rules and the store behind them."""
