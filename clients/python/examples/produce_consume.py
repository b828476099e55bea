"""Produce a few records and read them back in a consumer group.

    python examples/produce_consume.py 127.0.0.1:9092
"""

import sys

from fjord import Admin, Consumer, Producer, TopicExistsError

bootstrap = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:9092"
with Admin(bootstrap) as admin:
    try:
        admin.create_topic("orders", partitions=3)
    except TopicExistsError:
        pass

with Producer(bootstrap, compression="zstd") as p:
    for i in range(10):
        p.send("orders", b"order %d" % i, key=b"customer-%d" % (i % 3), headers=[("source", b"example")],
               callback=lambda err, md: print("delivered", md) if err is None else print("failed", err))

with Consumer(bootstrap, group_id="example", auto_offset_reset="earliest") as c:
    c.subscribe(["orders"], on_assigned=lambda tps: print("assigned", sorted(tps)))
    seen = 0
    while seen < 10:
        for r in c.poll(1.0):
            print(r.partition, r.offset, r.key, r.value)
            seen += 1
