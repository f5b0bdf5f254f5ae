"""Flags for the care team: the engine that stores rule findings, and the triage forms."""
