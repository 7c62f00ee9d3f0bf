"""Certification readiness: the self-assessment, its results and files, team view, roadmap."""
