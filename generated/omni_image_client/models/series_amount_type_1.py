# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from enum import StrEnum


class SeriesAmountType1(StrEnum):
    AUTO = "auto"

    def __str__(self) -> str:
        return str(self.value)
