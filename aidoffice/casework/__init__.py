"""Casework: dropout cases (控辍保学), contact duties and home visits (三包与家访)."""
