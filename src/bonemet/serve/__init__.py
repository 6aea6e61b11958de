"""Serving: the SPARQL 1.1 Protocol endpoint, content negotiation, query workers, Linked Data pages, VoID."""
