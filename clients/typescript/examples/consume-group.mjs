// node examples/consume-group.mjs [bootstrap] — joins group "billing" on "orders" and prints records (Ctrl-C to stop).
import { Consumer } from "@fjordlog/fjord";

const bootstrap = process.argv[2] ?? process.env.FJORD_BOOTSTRAP ?? "127.0.0.1:9092";
const consumer = new Consumer({ bootstrap, groupId: "billing", autoOffsetReset: "earliest" });
consumer.subscribe(["orders"], {
  onAssigned: (tps) => console.log("assigned", tps),
  onRevoked: (tps) => console.log("revoked", tps),
});
process.once("SIGINT", () => void consumer.close());
const dec = new TextDecoder();
for await (const r of consumer) {
  console.log(`${r.topic}/${r.partition}@${r.offset} ${r.key && dec.decode(r.key)} ${r.value && dec.decode(r.value)}`);
}
