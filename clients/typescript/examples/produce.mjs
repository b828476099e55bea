// node examples/produce.mjs [bootstrap] — produces 10 keyed records and prints where they landed.
import { Admin, Producer } from "@fjordlog/fjord";

const bootstrap = process.argv[2] ?? process.env.FJORD_BOOTSTRAP ?? "127.0.0.1:9092";
const admin = new Admin({ bootstrap });
await admin.createTopic("orders", 3, 1).catch((e) => { if (e.reason !== "TOPIC_ALREADY_EXISTS") throw e; });
await admin.close();

const producer = new Producer({ bootstrap, compression: "zstd", lingerMs: 5 });
const acks = await Promise.all(
  Array.from({ length: 10 }, (_, i) =>
    producer.send({ topic: "orders", key: `customer-${i % 3}`, value: JSON.stringify({ order: i }), headers: { source: "example" } })),
);
for (const a of acks) console.log(`${a.topic}/${a.partition}@${a.offset}`);
await producer.close();
