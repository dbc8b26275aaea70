"""``pypage serve``: the live site kept current by the build engine, and its server."""
