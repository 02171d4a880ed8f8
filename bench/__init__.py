"""Benchmarks of the real Rapport server: ``python bench/run.py [--quick]`` (see README.md)."""
