"""Registries: synthetic patient records in the bonemet record layer."""
