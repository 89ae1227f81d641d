"""Turn a path, bytes or a Pillow image into a reference checked against the spec's rules."""

from omni_image_client.models import CreateTaskRequest
from PIL import Image

from omni_client import ReferenceImageError, connect, create_task, image_list, image_reference

scene = Image.new("RGB", (1200, 800), "steelblue")  # or a path: image_reference("scene.jpg")
references = image_list(scene, "https://example.com/reference/style.png")  # URLs pass through
body = CreateTaskRequest(prompt="The scene of <<<image_1>>>", image_list=references[:1])
with connect() as client:
    print(create_task(client, body).task_status)

try:
    image_reference(Image.new("RGB", (751, 300)))  # wider than 2.5:1
except ReferenceImageError as error:
    print(error.rule_id, "-", error)  # reference-image-aspect-ratio - ...
