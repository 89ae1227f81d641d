"""Test the tester: a catalogue of planted deviations (mutant reference servers), each breaking one
contract line, and the proof that the conformance check named after that line catches it.

Kept out of the server's production code: mutants wrap or patch the real app only inside their own
server subprocess (`python -m tests.mutants.serve_mutant --mutant ID`).
"""
