"""HTTP layer: one controller module per resource. Parse, authorise, call a service,
return a Struct. No SQL and no rules of the game here."""
