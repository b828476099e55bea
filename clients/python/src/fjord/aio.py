"""asyncio support: thin wrappers whose I/O runs on the SDK's threads.

    async with AsyncProducer("127.0.0.1:9092") as p:
        md = await p.send("t", b"v")
    async with AsyncConsumer("127.0.0.1:9092", group_id="g") as c:
        c.subscribe(["t"])
        async for rec in c: ...
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fjord._codec import Record
from fjord.consumer import Consumer
from fjord.producer import Producer, RecordMetadata


class AsyncProducer:
    """A Producer whose send() is awaitable."""

    def __init__(self, bootstrap: str | Sequence[str], **options: Any) -> None:
        self.producer = Producer(bootstrap, **options)

    async def send(self, topic: str, value: bytes | None, key: bytes | None = None, **kw: Any) -> RecordMetadata:
        """Queues the record and awaits its acknowledgement."""
        return await asyncio.wrap_future(self.producer.send(topic, value, key, **kw))

    def send_nowait(self, topic: str, value: bytes | None, key: bytes | None = None,
                    **kw: Any) -> asyncio.Future[RecordMetadata]:
        """Queues the record and returns an asyncio future (await many together for throughput)."""
        return asyncio.wrap_future(self.producer.send(topic, value, key, **kw))

    async def flush(self, timeout: float | None = None) -> bool:
        return await asyncio.to_thread(self.producer.flush, timeout)

    async def close(self) -> None:
        await asyncio.to_thread(self.producer.close)

    async def __aenter__(self) -> AsyncProducer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class AsyncConsumer:
    """A Consumer usable with ``async for``; poll() runs in a worker thread, one at a time."""

    def __init__(self, bootstrap: str | Sequence[str], **options: Any) -> None:
        self.consumer = Consumer(bootstrap, **options)
        self._lock = asyncio.Lock()
        self._closed = False

    def subscribe(self, topics: Sequence[str] = (), **kw: Any) -> None:
        """Consumer.subscribe: topics or topic_pattern=..., and the rebalance callbacks."""
        self.consumer.subscribe(topics, **kw)

    def assign_topic(self, topic: str) -> None:
        self.consumer.assign_topic(topic)

    async def poll(self, timeout: float = 1.0) -> list[Record]:
        async with self._lock:
            return await asyncio.to_thread(self.consumer.poll, timeout)

    async def commit(self, offsets: Any = None) -> None:
        async with self._lock:
            await asyncio.to_thread(self.consumer.commit, offsets)

    async def __aiter__(self) -> AsyncIterator[Record]:
        while not self._closed:
            for r in await self.poll(0.5):
                yield r

    async def close(self) -> None:
        self._closed = True
        async with self._lock:
            await asyncio.to_thread(self.consumer.close)

    async def __aenter__(self) -> AsyncConsumer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
