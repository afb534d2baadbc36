#!/usr/bin/env python3
"""A real Cyclone DDS peer (PyPI `cyclonedds`) for Letan's interop tests.

It declares the ROS 2 types with their DDS names (`pkg::msg::dds_::Name_`) and publishes or subscribes on
ROS topics (`rt/<name>`), exactly as a ROS 2 node on rmw_cyclonedds_cpp would. Received samples are
printed as one JSON object per line on stdout, so the Rust test can compare them field for field.

Usage:
  cyclone_peer.py sub TOPIC TYPE [--count N] [--timeout S] [--qos reliable|best_effort|latched]
  cyclone_peer.py pub TOPIC TYPE JSON [--count N] [--period S] [--qos ...] [--wait-reader S]
  cyclone_peer.py node NAME --seconds S   (announce a ROS node via ros_discovery_info, publish /cmd_vel)
TYPE is one of the keys of TYPES below.
"""
import argparse
import dataclasses
import json
import sys
import time
from dataclasses import dataclass, field

from cyclonedds.core import Policy, Qos
from cyclonedds.domain import DomainParticipant
from cyclonedds.idl import IdlStruct
from cyclonedds.idl.types import array, float32, float64, int8, int32, sequence, uint8, uint32
from cyclonedds.pub import DataWriter
from cyclonedds.sub import DataReader
from cyclonedds.topic import Topic
from cyclonedds.util import duration


@dataclass
class Time(IdlStruct, typename="builtin_interfaces::msg::dds_::Time_"):
    sec: int32 = 0
    nanosec: uint32 = 0


@dataclass
class Header(IdlStruct, typename="std_msgs::msg::dds_::Header_"):
    stamp: Time = field(default_factory=Time)
    frame_id: str = ""


@dataclass
class Vector3(IdlStruct, typename="geometry_msgs::msg::dds_::Vector3_"):
    x: float64 = 0.0
    y: float64 = 0.0
    z: float64 = 0.0


@dataclass
class Quaternion(IdlStruct, typename="geometry_msgs::msg::dds_::Quaternion_"):
    x: float64 = 0.0
    y: float64 = 0.0
    z: float64 = 0.0
    w: float64 = 1.0


@dataclass
class Point(IdlStruct, typename="geometry_msgs::msg::dds_::Point_"):
    x: float64 = 0.0
    y: float64 = 0.0
    z: float64 = 0.0


@dataclass
class Pose(IdlStruct, typename="geometry_msgs::msg::dds_::Pose_"):
    position: Point = field(default_factory=Point)
    orientation: Quaternion = field(default_factory=Quaternion)


@dataclass
class Twist(IdlStruct, typename="geometry_msgs::msg::dds_::Twist_"):
    linear: Vector3 = field(default_factory=Vector3)
    angular: Vector3 = field(default_factory=Vector3)


@dataclass
class Transform(IdlStruct, typename="geometry_msgs::msg::dds_::Transform_"):
    translation: Vector3 = field(default_factory=Vector3)
    rotation: Quaternion = field(default_factory=Quaternion)


@dataclass
class TransformStamped(IdlStruct, typename="geometry_msgs::msg::dds_::TransformStamped_"):
    header: Header = field(default_factory=Header)
    child_frame_id: str = ""
    transform: Transform = field(default_factory=Transform)


@dataclass
class TFMessage(IdlStruct, typename="tf2_msgs::msg::dds_::TFMessage_"):
    transforms: sequence[TransformStamped] = field(default_factory=list)


@dataclass
class LaserScan(IdlStruct, typename="sensor_msgs::msg::dds_::LaserScan_"):
    header: Header = field(default_factory=Header)
    angle_min: float32 = 0.0
    angle_max: float32 = 0.0
    angle_increment: float32 = 0.0
    time_increment: float32 = 0.0
    scan_time: float32 = 0.0
    range_min: float32 = 0.0
    range_max: float32 = 0.0
    ranges: sequence[float32] = field(default_factory=list)
    intensities: sequence[float32] = field(default_factory=list)


@dataclass
class MapMetaData(IdlStruct, typename="nav_msgs::msg::dds_::MapMetaData_"):
    map_load_time: Time = field(default_factory=Time)
    resolution: float32 = 0.0
    width: uint32 = 0
    height: uint32 = 0
    origin: Pose = field(default_factory=Pose)


@dataclass
class OccupancyGrid(IdlStruct, typename="nav_msgs::msg::dds_::OccupancyGrid_"):
    header: Header = field(default_factory=Header)
    info: MapMetaData = field(default_factory=MapMetaData)
    data: sequence[int8] = field(default_factory=list)


# rmw_dds_common::msg::ParticipantEntitiesInfo: how a ROS 2 participant announces its nodes.
@dataclass
class Gid(IdlStruct, typename="rmw_dds_common::msg::dds_::Gid_"):
    data: array[uint8, 16] = field(default_factory=lambda: [0] * 16)


@dataclass
class NodeEntitiesInfo(IdlStruct, typename="rmw_dds_common::msg::dds_::NodeEntitiesInfo_"):
    node_namespace: str = "/"
    node_name: str = ""
    reader_gid_seq: sequence[Gid] = field(default_factory=list)
    writer_gid_seq: sequence[Gid] = field(default_factory=list)


@dataclass
class ParticipantEntitiesInfo(IdlStruct, typename="rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_"):
    gid: Gid = field(default_factory=Gid)
    node_entities_info_seq: sequence[NodeEntitiesInfo] = field(default_factory=list)


TYPES = {
    "geometry_msgs/msg/Twist": Twist,
    "sensor_msgs/msg/LaserScan": LaserScan,
    "tf2_msgs/msg/TFMessage": TFMessage,
    "nav_msgs/msg/OccupancyGrid": OccupancyGrid,
}


def qos_of(name, depth=10):
    if name == "best_effort":
        return Qos(Policy.Reliability.BestEffort, Policy.History.KeepLast(depth), Policy.Durability.Volatile)
    if name == "latched":
        return Qos(Policy.Reliability.Reliable(duration(seconds=1)), Policy.History.KeepLast(1),
                   Policy.Durability.TransientLocal)
    return Qos(Policy.Reliability.Reliable(duration(seconds=1)), Policy.History.KeepLast(depth),
               Policy.Durability.Volatile)


def build(cls, value):
    """JSON-ish dict -> dataclass instance, recursively (missing fields keep defaults)."""
    if not dataclasses.is_dataclass(cls):
        return value
    kwargs = {}
    hints = {f.name: f for f in dataclasses.fields(cls)}
    for k, v in (value or {}).items():
        if k not in hints:
            raise SystemExit(f"unknown field {k!r} for {cls.__name__}")
        ftype = cls.__annotations__[k]
        inner = getattr(ftype, "subtype", None) or getattr(getattr(ftype, "__metadata__", [None])[0], "subtype", None)
        if isinstance(v, dict):
            kwargs[k] = build(ftype, v)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            kwargs[k] = [build(TransformStamped if cls is TFMessage else inner, x) for x in v]
        else:
            kwargs[k] = v
    return cls(**kwargs)


def to_plain(obj):
    if dataclasses.is_dataclass(obj):
        return {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_plain(x) for x in obj]
    return obj


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["sub", "pub", "node"])
    ap.add_argument("topic")
    ap.add_argument("type", nargs="?")
    ap.add_argument("json", nargs="?")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--period", type=float, default=0.1)
    ap.add_argument("--qos", default="reliable")
    ap.add_argument("--wait-reader", type=float, default=10.0)
    ap.add_argument("--seconds", type=float, default=5.0)
    a = ap.parse_args()
    dp = DomainParticipant(0)

    if a.mode == "node":
        # Announce a ROS 2 node the way rmw does, then publish Twist on /cmd_vel for a while.
        info_topic = Topic(dp, "ros_discovery_info", ParticipantEntitiesInfo)
        w = DataWriter(dp, info_topic, qos_of("latched"))
        gid = Gid(data=list(range(1, 17)))
        w.write(ParticipantEntitiesInfo(gid=gid, node_entities_info_seq=[
            NodeEntitiesInfo(node_namespace="/", node_name=a.topic)]))
        tw = DataWriter(dp, Topic(dp, "rt/cmd_vel", Twist), qos_of("reliable"))
        print(json.dumps({"ready": True}), flush=True)
        end = time.time() + a.seconds
        while time.time() < end:
            tw.write(Twist(linear=Vector3(x=0.25), angular=Vector3(z=-0.5)))
            time.sleep(0.1)
        return

    cls = TYPES[a.type]
    topic = Topic(dp, "rt/" + a.topic.lstrip("/"), cls)
    if a.mode == "sub":
        reader = DataReader(dp, topic, qos_of(a.qos, depth=max(a.count, 10)))
        print(json.dumps({"ready": True}), flush=True)
        got = 0
        end = time.time() + a.timeout
        while got < a.count and time.time() < end:
            for s in reader.take(N=100):
                if not isinstance(s, cls):
                    continue  # invalid-data/dispose notifications
                print(json.dumps(to_plain(s)), flush=True)
                got += 1
            time.sleep(0.005)
        sys.exit(0 if got >= a.count else 3)
    else:
        writer = DataWriter(dp, topic, qos_of(a.qos))
        msg = build(cls, json.loads(a.json or "{}"))
        end = time.time() + a.wait_reader
        while time.time() < end:
            if writer.get_matched_subscriptions():
                break
            time.sleep(0.05)
        print(json.dumps({"ready": True}), flush=True)
        for _ in range(a.count):
            writer.write(msg)
            time.sleep(a.period)
        time.sleep(0.5)


if __name__ == "__main__":
    main()
