"""Clinic outcomes: how a clinic's patients do and how fast its alarms are answered."""
