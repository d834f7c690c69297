"""Renderers for people: the audit report, the model card and the commands' plain-text tables."""
