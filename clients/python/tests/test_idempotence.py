"""Idempotent producer sequence restarts (KIP-360) against a scripted in-process fake broker.

A real broker cannot be made to lose a producer's state on cue, so this fake
answers Produce from per-partition scripts and records every batch's stamp.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from fjord import Producer, Record
from fjord.v1 import (common_pb2, metadata_pb2, metadata_pb2_grpc, produce_pb2, produce_pb2_grpc)

OK, WRITE_THEN_UNAVAILABLE, UNKNOWN_PID, TIMED_OUT_WRITTEN, TIMED_OUT, TOO_LARGE = (
    "ok", "write-then-unavailable", "unknown-pid", "timed-out-written", "timed-out", "too-large")


@dataclass
class Fake(metadata_pb2_grpc.MetadataServiceServicer, produce_pb2_grpc.ProduceServiceServicer):  # type: ignore[misc]
    partitions: int
    scripts: dict[int, list[str]]
    address: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    epoch: int = -1
    stamps: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)  # partition -> (epoch, seq, n)
    log: dict[int, list[bytes]] = field(default_factory=dict)  # partition -> values written

    def GetMetadata(self, request: Any, context: Any) -> metadata_pb2.GetMetadataResponse:
        return metadata_pb2.GetMetadataResponse(
            brokers=[common_pb2.Broker(id=1, address=self.address)],
            topics=[metadata_pb2.TopicMetadata(name="t", partitions=[
                metadata_pb2.PartitionMetadata(partition=p, leader_id=1, replicas=[1], isr=[1])
                for p in range(self.partitions)])])

    def InitProducerId(self, request: Any, context: Any) -> produce_pb2.InitProducerIdResponse:
        with self.lock:
            self.epoch += 1
            return produce_pb2.InitProducerIdResponse(producer_id=1000, producer_epoch=self.epoch)

    def Produce(self, request: Any, context: Any) -> produce_pb2.ProduceResponse:
        resp = produce_pb2.ProduceResponse()
        abort = False
        with self.lock:
            for t in request.topics:
                tr = resp.topics.add(topic=t.topic)
                for pd in t.partitions:
                    b = pd.batches[0]
                    recs = b.records.records
                    self.stamps.setdefault(pd.partition, []).append((b.producer_epoch, b.base_sequence, len(recs)))
                    step = self.scripts[pd.partition].pop(0) if self.scripts[pd.partition] else OK
                    log = self.log.setdefault(pd.partition, [])
                    pr = tr.partitions.add(partition=pd.partition, base_offset=len(log))
                    if step in (OK, WRITE_THEN_UNAVAILABLE, TIMED_OUT_WRITTEN):
                        log.extend(r.value for r in recs)
                    if step == WRITE_THEN_UNAVAILABLE:
                        abort = True
                    elif step == UNKNOWN_PID:
                        pr.error.CopyFrom(common_pb2.Error(code=9, reason="UNKNOWN_PRODUCER_ID",
                                                           message="no state for the producer"))
                    elif step == TOO_LARGE:
                        pr.error.CopyFrom(common_pb2.Error(code=10, reason="MESSAGE_TOO_LARGE",
                                                           message="batch larger than max.message.bytes"))
                    elif step in (TIMED_OUT_WRITTEN, TIMED_OUT):
                        pr.error.CopyFrom(common_pb2.Error(code=4, reason="REQUEST_TIMED_OUT", retriable=True,
                                                           indefinite=True, message="acks=all wait cut short"))
        if abort:
            context.abort(grpc.StatusCode.UNAVAILABLE, "connection lost after the write")
        return resp


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> Iterator[Fake]:
    partitions, scripts = request.param
    f = Fake(partitions, scripts)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    metadata_pb2_grpc.add_MetadataServiceServicer_to_server(f, server)
    produce_pb2_grpc.add_ProduceServiceServicer_to_server(f, server)
    port = server.add_insecure_port("127.0.0.1:0")
    f.address = f"127.0.0.1:{port}"
    server.start()
    try:
        yield f
    finally:
        server.stop(0)


@pytest.mark.parametrize("fake", [(1, {0: [WRITE_THEN_UNAVAILABLE, UNKNOWN_PID]})], indirect=True)
def test_restamped_after_unknown_outcome_reports_possible_duplicates(fake: Fake) -> None:
    # The first attempt is written but its answer lost; the broker then forgets the producer
    # (UNKNOWN_PRODUCER_ID): the batch must go again under a new epoch from sequence 0, and since
    # the first attempt may be in the log, its records are reported.
    dups: list[list[Record]] = []
    with Producer(fake.address, retry_backoff=0.01, delivery_timeout=20, on_possible_duplicates=dups.append) as p:
        md = p.send("t", b"v1", b"k", partition=0).result(20)
    assert fake.stamps[0] == [(0, 0, 1), (0, 0, 1), (1, 0, 1)]  # the retry kept its stamp, the restart is epoch 1
    assert [[(r.topic, r.partition, r.key, r.value) for r in d] for d in dups] == [[("t", 0, b"k", b"v1")]]
    assert fake.log[0] == [b"v1", b"v1"]  # the duplicate the callback warned about
    assert md.partition == 0 and md.offset == 1


@pytest.mark.parametrize("fake", [(2, {0: [UNKNOWN_PID], 1: [TIMED_OUT_WRITTEN, TIMED_OUT]})], indirect=True)
def test_epoch_bump_does_not_restamp_other_partitions(fake: Fake) -> None:
    # Partition 0's sequence restarts (nothing of it was written: no report). Partition 1's batch,
    # whose first attempt may have been written, keeps its old-epoch stamp through the bump, so the
    # broker can recognize it; partition 1 moves to the new epoch only with its next batch.
    dups: list[list[Record]] = []
    with Producer(fake.address, retry_backoff=0.01, delivery_timeout=20, linger_ms=50,
                  on_possible_duplicates=dups.append) as p:
        f0 = p.send("t", b"a", partition=0)
        f1 = p.send("t", b"b", partition=1)
        assert f0.result(20).offset == 0 and f1.result(20).partition == 1
        p.send("t", b"c", partition=1).result(20)
    assert dups == []
    assert fake.stamps[0][0][1:] == (0, 1) and fake.stamps[0][-1] == (fake.epoch, 0, 1)
    first, *retries, nxt = fake.stamps[1]
    assert len(retries) == 2 and all(s == first for s in retries)
    assert nxt == (fake.epoch, 0, 1) and fake.epoch == first[0] + 1


@pytest.mark.parametrize("fake", [(1, {0: [TIMED_OUT] * 1000})], indirect=True)
def test_final_failure_after_unknown_outcome_is_indefinite(fake: Fake) -> None:
    with Producer(fake.address, retry_backoff=0.01, delivery_timeout=1.0) as p:
        err = p.send("t", b"x", partition=0).exception(20)
    assert err is not None and err.indefinite and err.reason == "REQUEST_TIMED_OUT"  # type: ignore[attr-defined]
    assert len({s for s in fake.stamps[0]}) == 1  # every retry carried the same stamp


@pytest.mark.parametrize("fake", [(2, {0: [], 1: []})], indirect=True)
def test_record_futures_work_with_concurrent_futures(fake: Fake) -> None:
    from concurrent.futures import FIRST_COMPLETED, as_completed, wait
    seen: list[tuple[Any, Any]] = []
    with Producer(fake.address, linger_ms=20) as p:
        futs = [p.send("t", b"%d" % i, partition=i % 2, callback=lambda e, md: seen.append((e, md)))
                for i in range(6)]
        done, _ = wait(futs, timeout=20, return_when=FIRST_COMPLETED)
        assert done
        assert sorted(f.result().offset for f in as_completed(futs, timeout=20)) == [0, 0, 1, 1, 2, 2]
        done, not_done = wait(futs, timeout=20)
        assert len(done) == 6 and not not_done
        assert all(f.done() and not f.cancel() and f.exception() is None for f in futs)
        late: list[Any] = []
        futs[0].add_done_callback(late.append)
        assert late == [futs[0]]
    assert len(seen) == 6 and all(e is None for e, _ in seen)
    assert [md.partition for _, md in sorted(seen, key=lambda x: x[1].offset * 2 + x[1].partition)] == [0, 1] * 3


@pytest.mark.parametrize("fake", [(1, {0: [TOO_LARGE, TOO_LARGE]})], indirect=True)
def test_too_large_batch_split_shares_its_sequence(fake: Fake) -> None:
    # The 4-record batch is rejected whole, then its first half: the halves take the rejected
    # batch's sequence numbers (first half its base, second half base + len(first half)), same epoch.
    from concurrent.futures import ALL_COMPLETED, wait
    seen: list[tuple[Any, Any]] = []
    with Producer(fake.address, linger_ms=1000) as p:
        futs = [p.send("t", b"%d" % i, partition=0, callback=lambda e, md: seen.append((e, md))) for i in range(4)]
        assert p.flush(20)
        done, _ = wait(futs, timeout=20, return_when=ALL_COMPLETED)
        assert len(done) == 4
        assert [f.result(0).offset for f in futs] == [0, 1, 2, 3]
    assert fake.stamps[0] == [(0, 0, 4), (0, 0, 2), (0, 0, 1), (0, 1, 1), (0, 2, 2)]
    assert fake.log[0] == [b"0", b"1", b"2", b"3"]
    assert sorted(md.offset for e, md in seen if e is None) == [0, 1, 2, 3] and len(seen) == 4
