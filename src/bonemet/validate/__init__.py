"""Validation: SHACL through pySHACL (the reference) or shapes compiled to SPARQL on Oxigraph; reports."""
