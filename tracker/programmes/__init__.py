"""Exercise programmes (clinical-reference §6): the library, changes, and the check-in's
exercise logs."""
