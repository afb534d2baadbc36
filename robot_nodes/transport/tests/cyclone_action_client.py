#!/usr/bin/env python3
"""A NavigateToPose action client made of plain Cyclone DDS endpoints (PyPI `cyclonedds`).

It speaks to an action server the way the ROS 2 wire protocol lays actions out: the services
`<action>/_action/send_goal`, `cancel_goal`, `get_result` as DDS topics `rq/...Request` and
`rr/...Reply`, the topics `rt/<action>/_action/feedback` and
`rt/<action>/_action/status` (reliable, transient local, keep last 1), with the type names rosidl
generates (`nav2_msgs::action::dds_::NavigateToPose_SendGoal_Request_`, ...).

Two service layouts (`--layout`):
  sample-identity  rmw_fastrtps' (Jazzy's default): the payload is the bare request; the request id
                   rides in the inline QoS, which this client does not set (the reply is matched by
                   being the only client).
  cyclone          rmw_cyclonedds': a header {uint64 client id, int64 sequence number} before the
                   request, which the server must echo before the reply. Each reply's header is
                   checked against its request's (event "reply_header").

Each event is printed as one JSON object per line; tests/action_cyclone_interop.rs checks them.

Usage: cyclone_action_client.py ACTION X [--layout sample-identity|cyclone] [--cancel-after-feedback]
                                            [--late-status] [--seed N] [--timeout S]
  ACTION  e.g. /robot/navigate_to_pose
  X       goal position x
"""
import argparse
import json
import sys
import time
import types
from dataclasses import MISSING, dataclass, field, fields

from cyclonedds.core import Policy, Qos
from cyclonedds.domain import DomainParticipant
from cyclonedds.idl import IdlStruct
from cyclonedds.idl.types import array, float32, float64, int8, int16, int32, int64, sequence, uint8, uint16, uint32, uint64
from cyclonedds.pub import DataWriter
from cyclonedds.sub import DataReader
from cyclonedds.topic import Topic
from cyclonedds.util import duration


def t(pkg, kind, name):
    return f"{pkg}::{kind}::dds_::{name}_"


@dataclass
class Time(IdlStruct, typename=t("builtin_interfaces", "msg", "Time")):
    sec: int32 = 0
    nanosec: uint32 = 0


@dataclass
class Duration(IdlStruct, typename=t("builtin_interfaces", "msg", "Duration")):
    sec: int32 = 0
    nanosec: uint32 = 0


@dataclass
class Header(IdlStruct, typename=t("std_msgs", "msg", "Header")):
    stamp: Time = field(default_factory=Time)
    frame_id: str = ""


@dataclass
class Point(IdlStruct, typename=t("geometry_msgs", "msg", "Point")):
    x: float64 = 0.0
    y: float64 = 0.0
    z: float64 = 0.0


@dataclass
class Quaternion(IdlStruct, typename=t("geometry_msgs", "msg", "Quaternion")):
    x: float64 = 0.0
    y: float64 = 0.0
    z: float64 = 0.0
    w: float64 = 1.0


@dataclass
class Pose(IdlStruct, typename=t("geometry_msgs", "msg", "Pose")):
    position: Point = field(default_factory=Point)
    orientation: Quaternion = field(default_factory=Quaternion)


@dataclass
class PoseStamped(IdlStruct, typename=t("geometry_msgs", "msg", "PoseStamped")):
    header: Header = field(default_factory=Header)
    pose: Pose = field(default_factory=Pose)


@dataclass
class UUID(IdlStruct, typename=t("unique_identifier_msgs", "msg", "UUID")):
    uuid: array[uint8, 16] = field(default_factory=lambda: [0] * 16)


@dataclass
class GoalInfo(IdlStruct, typename=t("action_msgs", "msg", "GoalInfo")):
    goal_id: UUID = field(default_factory=UUID)
    stamp: Time = field(default_factory=Time)


@dataclass
class GoalStatus(IdlStruct, typename=t("action_msgs", "msg", "GoalStatus")):
    goal_info: GoalInfo = field(default_factory=GoalInfo)
    status: int8 = 0


@dataclass
class GoalStatusArray(IdlStruct, typename=t("action_msgs", "msg", "GoalStatusArray")):
    status_list: sequence[GoalStatus] = field(default_factory=list)


@dataclass
class CancelGoal_Request(IdlStruct, typename=t("action_msgs", "srv", "CancelGoal_Request")):
    goal_info: GoalInfo = field(default_factory=GoalInfo)


@dataclass
class CancelGoal_Response(IdlStruct, typename=t("action_msgs", "srv", "CancelGoal_Response")):
    return_code: int8 = 0
    goals_canceling: sequence[GoalInfo] = field(default_factory=list)


A = "NavigateToPose"


@dataclass
class Goal(IdlStruct, typename=t("nav2_msgs", "action", A + "_Goal")):
    pose: PoseStamped = field(default_factory=PoseStamped)
    behavior_tree: str = ""


@dataclass
class Result(IdlStruct, typename=t("nav2_msgs", "action", A + "_Result")):
    error_code: uint16 = 0
    error_msg: str = ""


@dataclass
class Feedback(IdlStruct, typename=t("nav2_msgs", "action", A + "_Feedback")):
    current_pose: PoseStamped = field(default_factory=PoseStamped)
    navigation_time: Duration = field(default_factory=Duration)
    estimated_time_remaining: Duration = field(default_factory=Duration)
    number_of_recoveries: int16 = 0
    distance_remaining: float32 = 0.0


@dataclass
class SendGoal_Request(IdlStruct, typename=t("nav2_msgs", "action", A + "_SendGoal_Request")):
    goal_id: UUID = field(default_factory=UUID)
    goal: Goal = field(default_factory=Goal)


@dataclass
class SendGoal_Response(IdlStruct, typename=t("nav2_msgs", "action", A + "_SendGoal_Response")):
    accepted: bool = False
    stamp: Time = field(default_factory=Time)


@dataclass
class GetResult_Request(IdlStruct, typename=t("nav2_msgs", "action", A + "_GetResult_Request")):
    goal_id: UUID = field(default_factory=UUID)


@dataclass
class GetResult_Response(IdlStruct, typename=t("nav2_msgs", "action", A + "_GetResult_Response")):
    status: int8 = 0
    result: Result = field(default_factory=Result)


@dataclass
class FeedbackMessage(IdlStruct, typename=t("nav2_msgs", "action", A + "_FeedbackMessage")):
    goal_id: UUID = field(default_factory=UUID)
    feedback: Feedback = field(default_factory=Feedback)


def with_cyclone_header(cls):
    """`cls` as rmw_cyclonedds lays it out on a service topic: the same type name, with the request
    header (client id, sequence number) before the fields."""
    ann = {"header_guid": uint64, "header_seq": int64}
    body = {"header_guid": 0, "header_seq": 0}
    for f in fields(cls):
        ann[f.name] = f.type
        body[f.name] = f.default if f.default_factory is MISSING else field(default_factory=f.default_factory)
    body["__annotations__"] = ann
    wrapped = types.new_class(cls.__name__ + "_Cyclone", (IdlStruct,), {"typename": cls.__idl_typename__},
                              lambda ns: ns.update(body))
    return dataclass(wrapped)


class Service:
    """One service of the action, as a client: a request writer and a reply reader."""

    def __init__(self, dp, base, name, req_type, resp_type, qos, layout):
        self.req_type, self.resp_type, self.layout = req_type, resp_type, layout
        self.name = name
        if layout == "cyclone":
            req_type, resp_type = with_cyclone_header(req_type), with_cyclone_header(resp_type)
        self.wire_req, self.wire_resp = req_type, resp_type
        self.w = DataWriter(dp, Topic(dp, f"rq/{base}/_action/{name}Request", req_type), qos=qos)
        self.r = DataReader(dp, Topic(dp, f"rr/{base}/_action/{name}Reply", resp_type), qos=qos)
        self.guid = 0x0102030405060708 + len(name)  # distinct per service, as each client has its own
        self.sent = []

    def send(self, req):
        if self.layout == "cyclone":
            seq = len(self.sent) + 1
            self.sent.append((self.guid, seq))
            req = self.wire_req(header_guid=self.guid, header_seq=seq,
                                **{f.name: getattr(req, f.name) for f in fields(self.req_type)})
        self.w.write(req)

    def take(self):
        for s in self.r.take(N=1):
            if self.layout != "cyclone":
                return s
            got = (s.header_guid, s.header_seq)
            say(event="reply_header", service=self.name, echoed=got in self.sent, header=list(got))
            return self.resp_type(**{f.name: getattr(s, f.name) for f in fields(self.resp_type)})
        return None


def say(**event):
    print(json.dumps(event), flush=True)


def hexid(u):
    return bytes(u.uuid).hex()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("action")
    ap.add_argument("x", type=float)
    ap.add_argument("--layout", choices=["sample-identity", "cyclone"], default="sample-identity")
    ap.add_argument("--cancel-after-feedback", action="store_true")
    ap.add_argument("--late-status", action="store_true", help="only read the status topic, joining late")
    ap.add_argument("--seed", type=int, default=5, help="makes the goal id (distinct per run)")
    ap.add_argument("--timeout", type=float, default=20.0)
    args = ap.parse_args()
    base = args.action.strip("/")
    deadline = time.monotonic() + args.timeout

    reliable = Qos(Policy.Reliability.Reliable(duration(seconds=1)), Policy.History.KeepLast(10),
                   Policy.Durability.Volatile)
    latched = Qos(Policy.Reliability.Reliable(duration(seconds=1)), Policy.History.KeepLast(1),
                  Policy.Durability.TransientLocal)
    dp = DomainParticipant(0)

    status_reader = DataReader(dp, Topic(dp, f"rt/{base}/_action/status", GoalStatusArray), qos=latched)
    if args.late_status:
        while time.monotonic() < deadline:
            for s in status_reader.take(N=10):
                say(event="status", list=[[hexid(g.goal_info.goal_id), g.status] for g in s.status_list])
                return 0
            time.sleep(0.02)
        say(event="timeout", waiting_for="status")
        return 1

    def service(name, req_type, resp_type):
        return Service(dp, base, name, req_type, resp_type, reliable, args.layout)

    goal_s = service("send_goal", SendGoal_Request, SendGoal_Response)
    cancel_s = service("cancel_goal", CancelGoal_Request, CancelGoal_Response)
    result_s = service("get_result", GetResult_Request, GetResult_Response)
    feedback_r = DataReader(dp, Topic(dp, f"rt/{base}/_action/feedback", FeedbackMessage), qos=reliable)
    services = (goal_s, cancel_s, result_s)

    # Wait until the server's endpoints are matched both ways (a request sent earlier is lost).
    while not all(s.w.get_matched_subscriptions() for s in services) or \
            not all(r.get_matched_publications() for r in [s.r for s in services] + [feedback_r]):
        if time.monotonic() > deadline:
            say(event="timeout", waiting_for="server")
            return 1
        time.sleep(0.05)
    time.sleep(0.2)  # let the server's writers match our readers too
    say(event="matched")

    def wait_one(svc, what):
        while time.monotonic() < deadline:
            s = svc.take()
            if s is not None:
                return s
            time.sleep(0.01)
        say(event="timeout", waiting_for=what)
        sys.exit(1)

    goal_id = UUID(uuid=[(i * 17 + args.seed) % 256 for i in range(16)])
    say(event="goal_id", goal_id=hexid(goal_id))
    goal = Goal(pose=PoseStamped(header=Header(frame_id="map"), pose=Pose(position=Point(x=args.x))),
                behavior_tree="")
    goal_s.send(SendGoal_Request(goal_id=goal_id, goal=goal))
    resp = wait_one(goal_s, "send_goal reply")
    say(event="goal_response", accepted=resp.accepted, stamp=[resp.stamp.sec, resp.stamp.nanosec])
    if not resp.accepted:
        return 0
    result_s.send(GetResult_Request(goal_id=goal_id))
    canceled = False
    while time.monotonic() < deadline:
        for f in feedback_r.take(N=10):
            say(event="feedback", goal_id=hexid(f.goal_id), distance_remaining=f.feedback.distance_remaining,
                recoveries=f.feedback.number_of_recoveries, frame=f.feedback.current_pose.header.frame_id)
            if args.cancel_after_feedback and not canceled:
                canceled = True
                cancel_s.send(CancelGoal_Request(goal_info=GoalInfo(goal_id=goal_id)))
                c = wait_one(cancel_s, "cancel_goal reply")
                say(event="cancel_response", return_code=c.return_code,
                    canceling=[hexid(g.goal_id) for g in c.goals_canceling])
        r = result_s.take()
        if r is not None:
            say(event="result", status=r.status, error_code=r.result.error_code, error_msg=r.result.error_msg)
            # The status array, until it shows the goal finished (it is published before the result).
            last = None
            until = time.monotonic() + 3.0
            while time.monotonic() < until:
                for s in status_reader.take(N=10):
                    last = [[hexid(g.goal_info.goal_id), g.status] for g in s.status_list]
                if last and any(g == hexid(goal_id) and st in (4, 5, 6) for g, st in last):
                    break
                time.sleep(0.01)
            say(event="status", list=last)
            return 0
        time.sleep(0.01)
    say(event="timeout", waiting_for="result")
    return 1


if __name__ == "__main__":
    sys.exit(main())
