"""Markdown → page: the parser, its plugins (cells, links, slides) and what cells import."""
