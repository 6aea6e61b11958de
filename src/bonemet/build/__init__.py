"""Build: curated tables -> RDF (declarative mapping), quality control, deterministic serialization, the build pipeline."""
