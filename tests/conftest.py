"""Keep test traffic off proxies: every test server listens on loopback only."""

from __future__ import annotations

import os

# A CI machine may export HTTP(S)_PROXY/ALL_PROXY; httpx and requests would then send loopback
# test traffic to that proxy (failing, or leaking it off the machine). Done at import time so it
# also holds for the subprocesses tests start, which inherit os.environ.
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
    os.environ.pop(_name, None)
    os.environ.pop(_name.lower(), None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"
