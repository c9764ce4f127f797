"""Normalisation rules: text forms, eras and start years, wards, places and partners."""
