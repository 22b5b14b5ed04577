"""What the repository holds at any commit: settings, packages, their metadata and graph."""
