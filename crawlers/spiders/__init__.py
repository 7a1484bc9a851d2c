"""One spider per source kind: listing, feed, sitemap."""
