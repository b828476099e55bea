"""Avro values through the schema registry, with the asyncio API.

    python examples/avro_asyncio.py 127.0.0.1:9092 http://127.0.0.1:8081
"""

import asyncio
import json
import sys

from fjord import Admin, AvroDeserializer, AvroSerializer, SchemaRegistryClient, TopicExistsError
from fjord.aio import AsyncConsumer, AsyncProducer

SCHEMA = json.dumps({"type": "record", "name": "User", "fields": [
    {"name": "name", "type": "string"}, {"name": "email", "type": ["null", "string"], "default": None}]})


async def main(bootstrap: str, registry_url: str) -> None:
    with Admin(bootstrap) as admin:
        try:
            admin.create_topic("users", partitions=1)
        except TopicExistsError:
            pass
    registry = SchemaRegistryClient(registry_url)
    serialize, deserialize = AvroSerializer(registry, "users-value", SCHEMA), AvroDeserializer(registry)
    async with AsyncProducer(bootstrap) as p:
        md = await p.send("users", serialize({"name": "ann", "email": None}), key=b"ann")
        print("written at", md.offset)
    async with AsyncConsumer(bootstrap, group_id="avro-example") as c:
        c.subscribe(["users"])
        async for record in c:
            print(deserialize(record.value))
            break


asyncio.run(main(*(sys.argv[1:3] if len(sys.argv) > 2 else ("127.0.0.1:9092", "http://127.0.0.1:8081"))))
