"""Admin: topics, configs, groups and offsets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fjord.client import Client, ClientConfig, TopicPartition
from fjord.consumer import _tps_wire
from fjord.errors import FjordError, from_proto
from fjord.v1 import admin_pb2, admin_pb2_grpc, fetch_pb2, fetch_pb2_grpc, group_pb2, group_pb2_grpc


class Admin:
    """Administers a cluster. Every call retries retriable failures and raises FjordError subclasses."""

    def __init__(self, bootstrap: str | Sequence[str], *, client_id: str = "", request_timeout: float = 30.0) -> None:
        self._client = Client(ClientConfig(bootstrap, client_id=client_id, request_timeout=request_timeout))

    def _admin(self, method: str, req: Any) -> Any:
        return self._client.retry(lambda: self._client.unary(
            getattr(admin_pb2_grpc.AdminServiceStub(self._client.any_channel()), method), req))

    def _group(self, method: str, req: Any) -> Any:
        gid = getattr(req, "group_id", "")
        if gid:  # at the group's coordinator
            return self._client.group_call(gid, lambda ch: self._client.unary(
                getattr(group_pb2_grpc.GroupServiceStub(ch), method), req))
        return self._client.retry(lambda: self._client.unary(
            getattr(group_pb2_grpc.GroupServiceStub(self._client.any_channel()), method), req))

    # -- topics --------------------------------------------------------------------------------
    def create_topic(self, name: str, partitions: int = 0, replication_factor: int = 0,
                     configs: Mapping[str, str] | None = None, *, validate_only: bool = False) -> admin_pb2.CreateTopicResult:
        """Creates a topic (0 = broker default). Raises TopicExistsError, FjordError(INVALID_...)."""
        resp = self._admin("CreateTopics", admin_pb2.CreateTopicsRequest(topics=[admin_pb2.NewTopic(
            name=name, partitions=partitions, replication_factor=replication_factor, configs=dict(configs or {}))],
            validate_only=validate_only))
        r = resp.results[0]
        _raise(r.error, name)
        return r  # type: ignore[no-any-return]

    def delete_topic(self, name: str) -> None:
        resp = self._admin("DeleteTopics", admin_pb2.DeleteTopicsRequest(names=[name]))
        for r in resp.results:
            _raise(r.error, name)
        self._client.invalidate(name)

    def list_topics(self, include_internal: bool = False) -> dict[str, int]:
        """Topic name -> partition count."""
        resp = self._admin("ListTopics", admin_pb2.ListTopicsRequest(include_internal=include_internal))
        return {t.name: t.partitions for t in resp.topics}

    def describe_topic(self, name: str) -> admin_pb2.TopicDescription:
        resp = self._admin("DescribeTopics", admin_pb2.DescribeTopicsRequest(names=[name]))
        t = resp.topics[0]
        _raise(t.error, name)
        return t  # type: ignore[no-any-return]

    def create_partitions(self, name: str, total: int) -> None:
        resp = self._admin("CreatePartitions", admin_pb2.CreatePartitionsRequest(
            topics=[admin_pb2.PartitionIncrease(topic=name, total_count=total)]))
        for r in resp.results:
            _raise(r.error, name)
        self._client.invalidate(name)

    # -- configs -------------------------------------------------------------------------------
    def describe_configs(self, topic: str) -> dict[str, str]:
        """The topic's effective configuration."""
        res = admin_pb2.ConfigResource(type=admin_pb2.CONFIG_RESOURCE_TYPE_TOPIC, name=topic)
        resp = self._admin("DescribeConfigs", admin_pb2.DescribeConfigsRequest(resources=[res]))
        r = resp.results[0]
        _raise(r.error, topic)
        return {c.name: c.value for c in r.configs}

    def alter_configs(self, topic: str, set: Mapping[str, str] | None = None,
                      delete: Iterable[str] = ()) -> None:
        """Sets and deletes (back to default) topic configuration entries."""
        ops = [admin_pb2.AlterConfigOp(name=k, value=v, op=admin_pb2.ALTER_CONFIG_OP_TYPE_SET)
               for k, v in (set or {}).items()]
        ops += [admin_pb2.AlterConfigOp(name=k, op=admin_pb2.ALTER_CONFIG_OP_TYPE_DELETE) for k in delete]
        res = admin_pb2.ConfigResource(type=admin_pb2.CONFIG_RESOURCE_TYPE_TOPIC, name=topic)
        resp = self._admin("AlterConfigs", admin_pb2.AlterConfigsRequest(
            resources=[admin_pb2.AlterConfigsResource(resource=res, ops=ops)]))
        for r in resp.results:
            _raise(r.error, topic)

    # -- offsets -------------------------------------------------------------------------------
    def list_offsets(self, topic: str, spec: str = "latest") -> dict[int, int]:
        """Partition -> earliest or latest (high watermark) offset."""
        sp = fetch_pb2.OFFSET_SPEC_LATEST if spec == "latest" else fetch_pb2.OFFSET_SPEC_EARLIEST
        info = self._client.retry(lambda: self._client.topic(topic))
        out: dict[int, int] = {}
        for p in info.partitions:
            def call(p: int = p.partition) -> Any:
                stub = fetch_pb2_grpc.FetchServiceStub(self._client.broker_channel(self._client.leader(topic, p).leader_id))
                resp = self._client.unary(stub.ListOffsets, fetch_pb2.ListOffsetsRequest(topics=[fetch_pb2.ListOffsetsTopic(
                    topic=topic, partitions=[fetch_pb2.ListOffsetsPartition(partition=p, spec=sp)])]))
                r = resp.topics[0].partitions[0]
                _raise(r.error, topic, p)
                return r.offset
            out[p.partition] = self._client.retry(call)
        return out

    # -- groups --------------------------------------------------------------------------------
    def list_groups(self) -> list[group_pb2.GroupListing]:
        return list(self._group("ListGroups", group_pb2.ListGroupsRequest()).groups)

    def describe_group(self, group_id: str) -> group_pb2.DescribeGroupResponse:
        return self._group("DescribeGroup", group_pb2.DescribeGroupRequest(group_id=group_id))  # type: ignore[no-any-return]

    def delete_group(self, group_id: str) -> None:
        self._group("DeleteGroup", group_pb2.DeleteGroupRequest(group_id=group_id))

    def group_offsets(self, group_id: str) -> dict[TopicPartition, int]:
        resp = self._group("FetchOffsets", group_pb2.FetchOffsetsRequest(group_id=group_id))
        return {TopicPartition(t.topic, p.partition): p.offset for t in resp.topics for p in t.partitions}

    def reset_offsets(self, group_id: str, topics: Iterable[TopicPartition] = (), *, earliest: bool = False,
                      latest: bool = False, offset: int | None = None, force: bool = False) -> dict[TopicPartition, int]:
        """Moves a group's committed offsets (backwards too); the group must be empty unless force."""
        req = group_pb2.ResetOffsetsRequest(group_id=group_id, topics=_tps_wire(topics), force=force)
        if earliest:
            req.earliest = True
        elif latest:
            req.latest = True
        elif offset is not None:
            req.offset = offset
        else:
            raise ValueError("fjord: reset_offsets needs earliest, latest or offset")
        resp = self._group("ResetOffsets", req)
        out = {}
        for t in resp.topics:
            for p in t.partitions:
                _raise(p.error, t.topic, p.partition)
                out[TopicPartition(t.topic, p.partition)] = p.offset
        return out

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Admin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _raise(pe: Any, topic: str = "", partition: int = -1) -> None:
    err: FjordError | None = from_proto(pe, topic, partition)
    if err is not None:
        raise err
