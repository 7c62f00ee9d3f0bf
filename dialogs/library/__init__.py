"""The ISO 9000 library: sections, articles, the clause map, search."""
