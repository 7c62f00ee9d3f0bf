"""The main menu, help, personal settings and privacy."""
