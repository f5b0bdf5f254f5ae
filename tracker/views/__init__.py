"""Pages and endpoints, one module per audience or feature; each reaches a patient through
tracker.auth.access."""
