"""Validation and reasoning on Apache Spark: one pyoxigraph store per partition, patients kept whole."""
