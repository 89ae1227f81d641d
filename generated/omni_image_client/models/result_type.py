# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from enum import StrEnum


class ResultType(StrEnum):
    SERIES = "series"
    SINGLE = "single"

    def __str__(self) -> str:
        return str(self.value)
