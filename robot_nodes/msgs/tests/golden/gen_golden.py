#!/usr/bin/env python3
"""Golden CDR payloads from the real Cyclone DDS implementation (PyPI `cyclonedds`).

Declares a few ROS 2 message types as Cyclone IDL structs, with the DDS type names ROS 2 uses
("geometry_msgs::msg::dds_::Twist_"), fills them with the fixed sample values below, and writes each
serialized payload as hex to <Name>.hex: XCDR1 (plain CDR, what ROS 2 Jazzy's DDS RMWs send),
little-endian, including the 4-byte encapsulation header.

tests/golden.rs builds the same values in Rust (keep the two in step!) and checks that letan-msgs
serializes them to byte-identical payloads. When a Python with cyclonedds is available the test also
re-runs this script into a temporary folder, so a cyclonedds upgrade that changes bytes is caught.

Usage: gen_golden.py [OUT_DIR]      (default: the folder of this script)
"""
import os
import sys
from dataclasses import dataclass

from importlib.metadata import version

from cyclonedds.idl import IdlStruct
from cyclonedds.idl._support import Endianness
from cyclonedds.idl.types import (
    array, float32, float64, int8, int16, int32, sequence, uint8, uint16, uint32,
)


def ros(pkg: str, name: str, kind: str = "msg") -> str:
    return f"{pkg}::{kind}::dds_::{name}_"


@dataclass
class Time(IdlStruct, typename=ros("builtin_interfaces", "Time")):
    sec: int32
    nanosec: uint32


@dataclass
class Header(IdlStruct, typename=ros("std_msgs", "Header")):
    stamp: Time
    frame_id: str


@dataclass
class Empty(IdlStruct, typename=ros("std_msgs", "Empty")):
    structure_needs_at_least_one_member: uint8


@dataclass
class Vector3(IdlStruct, typename=ros("geometry_msgs", "Vector3")):
    x: float64
    y: float64
    z: float64


@dataclass
class Point(IdlStruct, typename=ros("geometry_msgs", "Point")):
    x: float64
    y: float64
    z: float64


@dataclass
class Quaternion(IdlStruct, typename=ros("geometry_msgs", "Quaternion")):
    x: float64
    y: float64
    z: float64
    w: float64


@dataclass
class Pose(IdlStruct, typename=ros("geometry_msgs", "Pose")):
    position: Point
    orientation: Quaternion


@dataclass
class Twist(IdlStruct, typename=ros("geometry_msgs", "Twist")):
    linear: Vector3
    angular: Vector3


@dataclass
class Transform(IdlStruct, typename=ros("geometry_msgs", "Transform")):
    translation: Vector3
    rotation: Quaternion


@dataclass
class TransformStamped(IdlStruct, typename=ros("geometry_msgs", "TransformStamped")):
    header: Header
    child_frame_id: str
    transform: Transform


@dataclass
class PoseWithCovariance(IdlStruct, typename=ros("geometry_msgs", "PoseWithCovariance")):
    pose: Pose
    covariance: array[float64, 36]


@dataclass
class TFMessage(IdlStruct, typename=ros("tf2_msgs", "TFMessage")):
    transforms: sequence[TransformStamped]


@dataclass
class LaserScan(IdlStruct, typename=ros("sensor_msgs", "LaserScan")):
    header: Header
    angle_min: float32
    angle_max: float32
    angle_increment: float32
    time_increment: float32
    scan_time: float32
    range_min: float32
    range_max: float32
    ranges: sequence[float32]
    intensities: sequence[float32]


@dataclass
class Image(IdlStruct, typename=ros("sensor_msgs", "Image")):
    header: Header
    height: uint32
    width: uint32
    encoding: str
    is_bigendian: uint8
    step: uint32
    data: sequence[uint8]


@dataclass
class RegionOfInterest(IdlStruct, typename=ros("sensor_msgs", "RegionOfInterest")):
    x_offset: uint32
    y_offset: uint32
    height: uint32
    width: uint32
    do_rectify: bool


@dataclass
class CameraInfo(IdlStruct, typename=ros("sensor_msgs", "CameraInfo")):
    header: Header
    height: uint32
    width: uint32
    distortion_model: str
    d: sequence[float64]
    k: array[float64, 9]
    r: array[float64, 9]
    p: array[float64, 12]
    binning_x: uint32
    binning_y: uint32
    roi: RegionOfInterest


@dataclass
class MapMetaData(IdlStruct, typename=ros("nav_msgs", "MapMetaData")):
    map_load_time: Time
    resolution: float32
    width: uint32
    height: uint32
    origin: Pose


@dataclass
class OccupancyGrid(IdlStruct, typename=ros("nav_msgs", "OccupancyGrid")):
    header: Header
    info: MapMetaData
    data: sequence[int8]


@dataclass
class Clock(IdlStruct, typename=ros("rosgraph_msgs", "Clock")):
    clock: Time


@dataclass
class IdsList(IdlStruct, typename=ros("hri_msgs", "IdsList")):
    header: Header
    ids: sequence[str]


@dataclass
class LiveSpeech(IdlStruct, typename=ros("hri_msgs", "LiveSpeech")):
    header: Header
    incremental: str
    final: str
    confidence: float64
    locale: str


@dataclass
class AudioData(IdlStruct, typename=ros("audio_common_msgs", "AudioData")):
    data: sequence[uint8]


@dataclass
class AudioDataStamped(IdlStruct, typename=ros("audio_common_msgs", "AudioDataStamped")):
    header: Header
    audio: AudioData


@dataclass
class Transcript(IdlStruct, typename=ros("letan_interfaces", "Transcript")):
    header: Header
    text: str
    language: str
    confidence: float32
    is_final: bool
    source: str


# ---- actions: action_msgs, and the types rosidl generates for nav2_msgs/action/NavigateToPose ----


@dataclass
class Duration(IdlStruct, typename=ros("builtin_interfaces", "Duration")):
    sec: int32
    nanosec: uint32


@dataclass
class PoseStamped(IdlStruct, typename=ros("geometry_msgs", "PoseStamped")):
    header: Header
    pose: Pose


@dataclass
class UUID(IdlStruct, typename=ros("unique_identifier_msgs", "UUID")):
    uuid: array[uint8, 16]


@dataclass
class GoalInfo(IdlStruct, typename=ros("action_msgs", "GoalInfo")):
    goal_id: UUID
    stamp: Time


@dataclass
class GoalStatus(IdlStruct, typename=ros("action_msgs", "GoalStatus")):
    goal_info: GoalInfo
    status: int8


@dataclass
class GoalStatusArray(IdlStruct, typename=ros("action_msgs", "GoalStatusArray")):
    status_list: sequence[GoalStatus]


@dataclass
class CancelGoal_Response(IdlStruct, typename=ros("action_msgs", "CancelGoal_Response", "srv")):
    return_code: int8
    goals_canceling: sequence[GoalInfo]


@dataclass
class NavigateToPose_Goal(IdlStruct, typename=ros("nav2_msgs", "NavigateToPose_Goal", "action")):
    pose: PoseStamped
    behavior_tree: str


@dataclass
class NavigateToPose_Result(IdlStruct, typename=ros("nav2_msgs", "NavigateToPose_Result", "action")):
    error_code: uint16
    error_msg: str


@dataclass
class NavigateToPose_Feedback(IdlStruct, typename=ros("nav2_msgs", "NavigateToPose_Feedback", "action")):
    current_pose: PoseStamped
    navigation_time: Duration
    estimated_time_remaining: Duration
    number_of_recoveries: int16
    distance_remaining: float32


@dataclass
class NavigateToPose_SendGoal_Request(
        IdlStruct, typename=ros("nav2_msgs", "NavigateToPose_SendGoal_Request", "action")):
    goal_id: UUID
    goal: NavigateToPose_Goal


@dataclass
class NavigateToPose_GetResult_Response(
        IdlStruct, typename=ros("nav2_msgs", "NavigateToPose_GetResult_Response", "action")):
    status: int8
    result: NavigateToPose_Result


@dataclass
class NavigateToPose_FeedbackMessage(
        IdlStruct, typename=ros("nav2_msgs", "NavigateToPose_FeedbackMessage", "action")):
    goal_id: UUID
    feedback: NavigateToPose_Feedback


# ---- the sample values (mirrored in tests/golden.rs) ------------------------------------------


def hdr(sec: int, nanosec: int, frame: str) -> Header:
    return Header(stamp=Time(sec=sec, nanosec=nanosec), frame_id=frame)


def samples():
    yield "Twist", Twist(linear=Vector3(x=0.25, y=-1.5, z=0.0), angular=Vector3(x=0.0, y=0.0, z=0.75))

    n = 1081  # > 1,000 ranges, ~8.6 KiB: fragments on the wire
    yield "LaserScan", LaserScan(
        header=hdr(1_700_000_000, 123_456_789, "laser"),
        angle_min=-2.35619449, angle_max=2.35619449, angle_increment=0.00436332313,
        time_increment=0.0000617, scan_time=0.0666, range_min=0.05, range_max=25.0,
        ranges=[0.5 + 0.01 * i for i in range(n)],
        intensities=[float(i % 256) for i in range(n)],
    )

    def ts(frame, child, x, y, z, w):
        return TransformStamped(
            header=hdr(42, 500, frame), child_frame_id=child,
            transform=Transform(translation=Vector3(x=x, y=y, z=0.1), rotation=Quaternion(x=0.0, y=0.0, z=z, w=w)),
        )
    yield "TFMessage", TFMessage(transforms=[
        ts("map", "odom", 1.0, 2.0, 0.0, 1.0),
        ts("odom", "base_link", -0.5, 0.25, 0.38268343236508984, 0.9238795325112867),
    ])

    yield "OccupancyGrid", OccupancyGrid(
        header=hdr(7, 0, "map"),
        info=MapMetaData(
            map_load_time=Time(sec=6, nanosec=999), resolution=0.05, width=7, height=5,
            origin=Pose(position=Point(x=-1.0, y=-2.0, z=0.0), orientation=Quaternion(x=0.0, y=0.0, z=0.0, w=1.0)),
        ),
        data=[-1 if i % 6 == 0 else (i * 13) % 101 for i in range(35)],
    )

    yield "Image", Image(
        header=hdr(11, 22, "camera_optical"), height=3, width=5, encoding="rgb8", is_bigendian=0, step=15,
        data=bytes((i * 7) % 256 for i in range(45)),
    )

    yield "CameraInfo", CameraInfo(
        header=hdr(11, 22, "camera_optical"), height=480, width=640, distortion_model="plumb_bob",
        d=[0.1, -0.25, 0.001, 0.002, 0.0],
        k=[525.0, 0.0, 319.5, 0.0, 525.0, 239.5, 0.0, 0.0, 1.0],
        r=[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        p=[525.0, 0.0, 319.5, 0.0, 0.0, 525.0, 239.5, 0.0, 0.0, 0.0, 1.0, 0.0],
        binning_x=0, binning_y=0,
        roi=RegionOfInterest(x_offset=1, y_offset=2, height=3, width=4, do_rectify=True),
    )

    yield "Clock", Clock(clock=Time(sec=1234, nanosec=567_000_000))

    yield "IdsList", IdsList(header=hdr(5, 6, "camera"), ids=["a3f9k", "zz01", ""])

    yield "LiveSpeech", LiveSpeech(
        header=hdr(9, 10, ""), incremental="", final="xin chào, tôi cần làm căn cước", confidence=0.875,
        locale="vi_VN",
    )

    yield "PoseWithCovariance", PoseWithCovariance(
        pose=Pose(position=Point(x=1.0, y=2.0, z=3.0), orientation=Quaternion(x=0.0, y=0.0, z=0.0, w=1.0)),
        covariance=[float(i) * 0.5 for i in range(36)],
    )

    yield "Empty", Empty(structure_needs_at_least_one_member=0)

    yield "AudioDataStamped", AudioDataStamped(
        header=hdr(3, 4, "mic"), audio=AudioData(data=bytes((i * 31) % 256 for i in range(21))),
    )

    yield "Transcript", Transcript(
        header=hdr(100, 200, ""), text="phòng vệ sinh ở đâu?", language="vi", confidence=0.5, is_final=True,
        source="asr",
    )


    goal_a = UUID(uuid=[(i * 7 + 3) % 256 for i in range(16)])
    goal_b = UUID(uuid=[255 - i for i in range(16)])
    accepted_a = Time(sec=1_700_000_100, nanosec=5)

    yield "NavigateToPose_SendGoal_Request", NavigateToPose_SendGoal_Request(
        goal_id=goal_a,
        goal=NavigateToPose_Goal(
            pose=PoseStamped(
                header=hdr(1_700_000_100, 5, "map"),
                pose=Pose(position=Point(x=3.5, y=-1.25, z=0.0),
                          orientation=Quaternion(x=0.0, y=0.0, z=0.7071067811865476, w=0.7071067811865476)),
            ),
            behavior_tree="",
        ),
    )

    yield "NavigateToPose_FeedbackMessage", NavigateToPose_FeedbackMessage(
        goal_id=goal_a,
        feedback=NavigateToPose_Feedback(
            current_pose=PoseStamped(
                header=hdr(1_700_000_101, 250_000_000, "map"),
                pose=Pose(position=Point(x=1.0, y=0.5, z=0.0),
                          orientation=Quaternion(x=0.0, y=0.0, z=0.25881904510252074, w=0.9659258262890683)),
            ),
            navigation_time=Duration(sec=12, nanosec=500_000_000),
            estimated_time_remaining=Duration(sec=8, nanosec=0),
            number_of_recoveries=1,
            distance_remaining=2.75,
        ),
    )

    yield "GoalStatusArray", GoalStatusArray(status_list=[
        GoalStatus(goal_info=GoalInfo(goal_id=goal_a, stamp=accepted_a), status=2),
        GoalStatus(goal_info=GoalInfo(goal_id=goal_b, stamp=Time(sec=1_700_000_000, nanosec=999_999_999)),
                   status=6),
    ])

    yield "NavigateToPose_GetResult_Response", NavigateToPose_GetResult_Response(
        status=6,
        result=NavigateToPose_Result(error_code=9002, error_msg="không tìm thấy biến đổi map → base_link"),
    )

    yield "CancelGoal_Response", CancelGoal_Response(
        return_code=0, goals_canceling=[GoalInfo(goal_id=goal_a, stamp=accepted_a)],
    )


def main() -> int:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    for name, value in samples():
        payload = value.serialize(endianness=Endianness.Little, use_version_2=False)
        # Self-check: Cyclone decodes its own bytes, and re-encodes them identically (float32 fields
        # are rounded, so compare bytes, not values).
        back = type(value).deserialize(payload)
        assert back.serialize(endianness=Endianness.Little, use_version_2=False) == payload, name
        text = payload.hex()
        lines = [text[i:i + 64] for i in range(0, len(text), 64)]
        with open(os.path.join(out, f"{name}.hex"), "w") as f:
            f.write(f"# {type(value).__idl_typename__.replace('.', '::')} sample from tests/golden/gen_golden.py\n")
            f.write(f"# made by cyclonedds {version('cyclonedds')} (Python), XCDR1 little-endian, "
                    f"{len(payload)} bytes incl. the 4-byte encapsulation header\n")
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
