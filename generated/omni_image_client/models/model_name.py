# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from enum import StrEnum


class ModelName(StrEnum):
    KLING_IMAGE_O1 = "kling-image-o1"
    KLING_V3_OMNI = "kling-v3-omni"

    def __str__(self) -> str:
        return str(self.value)
