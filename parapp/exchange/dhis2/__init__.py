"""DHIS2: ParApp's catalogue and units as a DHIS2 metadata package, data out and in (dataValueSets JSON and CSV,
ADX XML), and the push to an existing DHIS2 server's Web API. ParApp feeds a DHIS2; it never runs a server.

Codes are ParApp's own (data elements by their catalogue code, organisation units by their official code), so a
DHIS2 import with idScheme=CODE needs no UIDs; a mapping file (TOML) maps them to an instance's UIDs instead.
Core: no Qt here.
"""
