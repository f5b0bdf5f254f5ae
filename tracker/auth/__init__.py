"""Who may see what: the access helpers, roles, second factor, re-authentication, sign-in limits."""
