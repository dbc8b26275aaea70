"""Tools that drive a browser over a built site: ``pypage check`` and ``build --execute``."""
