// The README's example, type-checked against the built package by `make build`.
import { Producer, Consumer } from "@fjordlog/fjord";

const producer = new Producer({ bootstrap: "127.0.0.1:9092" });
const md = await producer.send({ topic: "orders", key: "c1", value: "hello", headers: { app: "demo" } });
console.log(`written at ${md.partition}@${md.offset}`);
await producer.close();

const consumer = new Consumer({ bootstrap: "127.0.0.1:9092", groupId: "billing", autoOffsetReset: "earliest" });
consumer.subscribe(["orders"]);
for await (const r of consumer) console.log(r.partition, r.offset, new TextDecoder().decode(r.value!));
