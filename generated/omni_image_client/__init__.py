# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.

"""A client library for accessing Kling Omni-Image API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
