# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
"""Contains all the data models used in inputs/outputs"""

from .aspect_ratio import AspectRatio
from .callback_task import CallbackTask
from .create_task_envelope import CreateTaskEnvelope
from .create_task_request import CreateTaskRequest
from .created_task import CreatedTask
from .element_reference import ElementReference
from .error import Error
from .final_balance_deduction import FinalBalanceDeduction
from .image_reference import ImageReference
from .model_name import ModelName
from .resolution import Resolution
from .result_image import ResultImage
from .result_type import ResultType
from .series_amount_type_1 import SeriesAmountType1
from .task import Task
from .task_envelope import TaskEnvelope
from .task_info import TaskInfo
from .task_list_envelope import TaskListEnvelope
from .task_result import TaskResult
from .task_status import TaskStatus
from .task_watermark_info import TaskWatermarkInfo
from .watermark_info import WatermarkInfo

__all__ = (
    "AspectRatio",
    "CallbackTask",
    "CreatedTask",
    "CreateTaskEnvelope",
    "CreateTaskRequest",
    "ElementReference",
    "Error",
    "FinalBalanceDeduction",
    "ImageReference",
    "ModelName",
    "Resolution",
    "ResultImage",
    "ResultType",
    "SeriesAmountType1",
    "Task",
    "TaskEnvelope",
    "TaskInfo",
    "TaskListEnvelope",
    "TaskResult",
    "TaskStatus",
    "TaskWatermarkInfo",
    "WatermarkInfo",
)
