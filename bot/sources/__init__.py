"""Readers of the public data formats: each turns a file's content into `ReportFigures`."""
