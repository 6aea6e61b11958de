"""Publishing the built graph into an external SPARQL store (Graph Store Protocol)."""
