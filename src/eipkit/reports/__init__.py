"""Reports for people: HTML pages (and later PDF and Excel) in Vietnamese by default, English on request."""
