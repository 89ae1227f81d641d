"""Connect and create a task: $OMNI_BASE_URL and $KLING_ACCESS_KEY/$KLING_SECRET_KEY, else the
local reference server with its development keys."""

from omni_image_client.models import AspectRatio, CreateTaskRequest, Resolution

from omni_client import connect, create_task

body = CreateTaskRequest(
    prompt="A lighthouse on a cliff at dawn, watercolour",
    resolution=Resolution("2k"),
    aspect_ratio=AspectRatio("16:9"),
    n=2,
)
# or connect(base_url=..., access_key=..., secret_key=...) / connect(api_key=...);
# the with-block closes the connection pool.
with connect() as client:
    task = create_task(client, body)
print(task.task_id, task.task_status)  # ... submitted
