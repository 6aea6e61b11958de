"""bonemet: a provenance-carrying OWL knowledge graph of bone metastasis."""

__version__ = "0.2.0"
