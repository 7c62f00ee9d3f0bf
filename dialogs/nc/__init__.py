"""Nonconformity reports: the quick report, managers' handling to a verified close, notices."""
