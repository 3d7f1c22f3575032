"""Building feeds for a signature (arrays, safe expressions, images, examples, strings) and
checking them against its input specs. Qt-free."""
