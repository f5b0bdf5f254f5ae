"""Trends over a timeline (series) and how they are put in words; pure, no database."""
