"""Tooling of the Crossings platform: validation, the Sphinx extension, builders."""
