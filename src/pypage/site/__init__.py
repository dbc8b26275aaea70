"""The site itself: theme, rendering, the loader bundle, the service worker and the build engine."""
