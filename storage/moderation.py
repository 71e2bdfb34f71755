"""Moderation: report revisions (the audit trail) and pending previews. Tables and queries."""
