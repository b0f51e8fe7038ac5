"""ParApp: administrative-reform (CCHC) figures for Vietnamese commune, district and province offices."""

__version__ = "0.1.0"
