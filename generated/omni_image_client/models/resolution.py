# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from enum import StrEnum


class Resolution(StrEnum):
    VALUE_0 = "1k"
    VALUE_1 = "2k"
    VALUE_2 = "4k"

    def __str__(self) -> str:
        return str(self.value)
