"""Verify a Standard Webhooks signed callback and parse it into the generated CallbackTask model.

CallbackReceiver does the same as an ASGI app: serve it with uvicorn at your callback_url."""

import base64
import json
import time
from datetime import UTC, datetime

from omni_image_client.models import CallbackTask
from standardwebhooks import Webhook

from omni_client import CallbackReceiver, WebhookSignatureError, parse_task, verify_signature

secret = "whsec_" + base64.b64encode(b"example-webhook-secret-32-bytes!").decode()
body = json.dumps(
    {
        "task_id": "860912345678901234",
        "task_status": "succeed",
        "task_status_msg": "",
        "task_info": {"external_task_id": None},
        "task_result": {
            "result_type": "single",
            "images": [{"index": 0, "url": "https://cdn.example.com/0.png"}],
            "series_images": [],
        },
        "watermark_info": {"enabled": False},
        "final_unit_deduction": "1",
        "created_at": 1795700000000,
        "updated_at": 1795700003100,
    }
).encode()

# What the server sends (several "v1,..." signatures may share the header during key rotation).
now = int(time.time())
signature = Webhook(secret).sign("msg_1", datetime.fromtimestamp(now, tz=UTC), body.decode())
headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": signature}

verify_signature(body, headers, secret)  # raises WebhookSignatureError if it does not match
task = parse_task(body)
print(task.task_id, task.task_status, task.task_result.images[0].url)

try:
    verify_signature(body.replace(b"succeed", b"failed!"), headers, secret)
except WebhookSignatureError as error:
    print("refused:", error)

received: list[CallbackTask] = []
app = CallbackReceiver(received.append, secret=secret)  # uvicorn.run(app, host="127.0.0.1", ...)
