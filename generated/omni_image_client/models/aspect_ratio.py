# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from enum import StrEnum


class AspectRatio(StrEnum):
    AUTO = "auto"
    VALUE_0 = "16:9"
    VALUE_1 = "9:16"
    VALUE_2 = "1:1"
    VALUE_3 = "4:3"
    VALUE_4 = "3:4"
    VALUE_5 = "3:2"
    VALUE_6 = "2:3"
    VALUE_7 = "21:9"

    def __str__(self) -> str:
        return str(self.value)
