"""Schemathesis phases (examples, coverage, fuzzing, stateful) as four checks; see schemathesis_phase."""
