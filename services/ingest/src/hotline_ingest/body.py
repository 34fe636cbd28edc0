"""Read a request body without ever holding more than the allowed number of bytes."""

from __future__ import annotations

from fastapi import Request

from hotline_ingest.parsing import BodyError


def _too_large(size: str, max_bytes: int) -> BodyError:
    return BodyError(
        413, "too_large", f"body too large: {size} bytes, the limit is {max_bytes}; split the batch"
    )


async def read_limited(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BodyError(400, "bad_content_length", f"invalid Content-Length: {declared!r}")
        if int(declared) > max_bytes:
            raise _too_large(declared.strip(), max_bytes)
    # Count while reading too: a chunked body has no Content-Length, and a client can lie.
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(f"at least {size}", max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)
