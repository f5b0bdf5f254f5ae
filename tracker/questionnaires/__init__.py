"""Questionnaires as data (instruments/*.json), their definitions and scoring; pure, no database."""
