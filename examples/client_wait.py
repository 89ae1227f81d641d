"""Create a task and wait for it, printing each observed status; then download the results."""

from pathlib import Path
from tempfile import mkdtemp

from omni_image_client.models import CreateTaskRequest, Task

from omni_client import connect, create_task, download_results, wait_for_task


def show(task: Task) -> None:
    print("status:", task.task_status)


with connect() as client:
    task = create_task(client, CreateTaskRequest(prompt="A red kite over green hills", n=2))
    done = wait_for_task(client, task.task_id, timeout=120, poll=0.5, on_progress=show)
for image in done.task_result.images:
    print(image.index, image.url)
saved = download_results(done, Path(mkdtemp(prefix="omni-results-")))
print("saved", [str(image.path) for image in saved])
