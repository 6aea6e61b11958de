"""Exports of the release into other formats: KGX TSV in Biolink terms."""
