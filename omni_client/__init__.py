"""omni_client."""
