"""The project's own tests, mirroring the packages; tests/mutants holds the planted-deviation servers.

Tests may import anything of ours; no package (omni_spec, omni_client, reference_server,
conformance) imports tests (tests/test_layering.py enforces it).
"""
