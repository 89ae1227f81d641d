#!/usr/bin/env bash
# The omni-image CLI (flags or $OMNI_BASE_URL, $KLING_ACCESS_KEY/$KLING_SECRET_KEY or $KLING_API_KEY;
# default: the local reference server with the development keys). Exit codes: 0 ok,
# 1 API or task failure, 2 usage error or server unreachable.
set -euo pipefail
out_dir=$(mktemp -d)
omni-image generate --prompt "A lighthouse at dawn" --n 2 --aspect-ratio 16:9 --watermark \
    --external-task-id "readme-$$" --out "$out_dir"
omni-image get "readme-$$"
omni-image list --page 1 --page-size 5
