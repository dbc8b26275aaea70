"""pypage: static sites from Markdown whose Python cells run in the reader's browser."""

__version__ = "0.1.0"
