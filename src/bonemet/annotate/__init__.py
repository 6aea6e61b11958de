"""Annotation: find bonemet entities in new documents and propose sourced statements."""
