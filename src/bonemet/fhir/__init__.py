"""FHIR import: mCODE (STU4) R4 Bundles into the record layer (`bonemet import-fhir`).

parse.py reads and checks bundles, codes.py holds the code tables, map.py makes the records and
report.py lists what could not be carried over. docs/decisions/20261207-fhir-import.md says why.
"""
