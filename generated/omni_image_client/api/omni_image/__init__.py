# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
"""Contains endpoint functions for accessing the API"""
