"""NOT_COORDINATOR handling against two in-process fake brokers: the coordinator the error names is used."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2  # type: ignore[import-untyped]
from grpc_status import rpc_status  # type: ignore[import-untyped]

from fjord import Consumer, TopicPartition
from fjord.v1 import common_pb2, group_pb2, group_pb2_grpc, metadata_pb2, metadata_pb2_grpc


class FakeBroker(group_pb2_grpc.GroupServiceServicer, metadata_pb2_grpc.MetadataServiceServicer):  # type: ignore[misc]
    def __init__(self, node: int, coordinator: bool) -> None:
        self.node, self.coordinator = node, coordinator
        self.address, self.other = "", ""
        self.calls: list[str] = []
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        group_pb2_grpc.add_GroupServiceServicer_to_server(self, self.server)
        metadata_pb2_grpc.add_MetadataServiceServicer_to_server(self, self.server)
        self.address = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"

    def GetMetadata(self, request: Any, context: Any) -> metadata_pb2.GetMetadataResponse:
        return metadata_pb2.GetMetadataResponse()

    def FindCoordinator(self, request: Any, context: Any) -> group_pb2.FindCoordinatorResponse:
        self.calls.append("FindCoordinator")
        # A stale answer: this broker names itself although it no longer coordinates the group.
        return group_pb2.FindCoordinatorResponse(coordinator=common_pb2.Broker(id=self.node, address=self.address))

    def CommitOffsets(self, request: Any, context: Any) -> group_pb2.CommitOffsetsResponse:
        self.calls.append("CommitOffsets")
        if not self.coordinator:
            info = error_details_pb2.ErrorInfo(reason="NOT_COORDINATOR", domain="fjord", metadata={
                "group_id": request.group_id, "coordinator_id": "2", "coordinator_address": self.other})
            detail = any_pb2.Any()
            detail.Pack(info)
            context.abort_with_status(rpc_status.to_status(status_pb2.Status(
                code=code_pb2.FAILED_PRECONDITION, message="not the coordinator", details=[detail])))
        return group_pb2.CommitOffsetsResponse(topics=[group_pb2.CommitOffsetsTopicResult(
            topic=t.topic, partitions=[group_pb2.CommitOffsetsPartitionResult(partition=p.partition)
                                       for p in t.partitions]) for t in request.topics])


@pytest.fixture
def brokers() -> Iterator[tuple[FakeBroker, FakeBroker]]:
    a, b = FakeBroker(1, False), FakeBroker(2, True)
    a.other, b.other = b.address, a.address
    a.server.start()
    b.server.start()
    try:
        yield a, b
    finally:
        a.server.stop(0)
        b.server.stop(0)


def test_commit_follows_not_coordinator_details(brokers: tuple[FakeBroker, FakeBroker]) -> None:
    a, b = brokers
    with Consumer(a.address, group_id="g", enable_auto_commit=False) as c:
        c.commit({TopicPartition("t", 0): 5})
        c.commit({TopicPartition("t", 0): 6})
    # One FindCoordinator (stale), one NOT_COORDINATOR, then straight to the named coordinator.
    assert a.calls == ["FindCoordinator", "CommitOffsets"]
    assert b.calls == ["CommitOffsets", "CommitOffsets"]
