"""Packages and interpreters → files in the site: what pages need, resolution, the npm
and Pyodide downloads, and the bundles they become."""
