// node examples/avro.mjs [bootstrap] [registry-url] — Avro values through the schema registry.
import { Admin, AvroDeserializer, AvroSerializer, Consumer, Producer, RegistryClient } from "@fjordlog/fjord";

const bootstrap = process.argv[2] ?? process.env.FJORD_BOOTSTRAP ?? "127.0.0.1:9092";
const registry = new RegistryClient({ url: process.argv[3] ?? process.env.FJORD_REGISTRY ?? "http://127.0.0.1:8081" });
const schema = { type: "record", name: "User", fields: [{ name: "name", type: "string" }, { name: "email", type: ["null", "string"], default: null }] };

const admin = new Admin({ bootstrap });
await admin.createTopic("users", 1, 1).catch((e) => { if (e.reason !== "TOPIC_ALREADY_EXISTS") throw e; });
await admin.close();

const serializer = new AvroSerializer(registry, schema); // registers under "users-value"
const producer = new Producer({ bootstrap });
const md = await producer.send({ topic: "users", key: "ada", value: await serializer.serialize("users", { name: "ada", email: null }) });
await producer.close();

const consumer = new Consumer({ bootstrap });
consumer.assign([{ topic: "users", partition: 0, offset: md.offset }]);
const [rec] = await consumer.poll(1, 10000);
console.log(await new AvroDeserializer(registry).deserialize(rec.value));
await consumer.close();
