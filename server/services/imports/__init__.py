"""Importing other apps' data: one parser per format, one writer for all of them."""
