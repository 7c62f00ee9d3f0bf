"""Organizations: first start, settings, members, invites, areas and teams."""
