# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
"""Contains methods for accessing the API"""
