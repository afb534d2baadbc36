#!/usr/bin/env python3
"""Seed corpus for the fuzz targets, made from the repository's own files (kb/, launch/, maps/,
sim/scenarios, NLU test sentences) plus a few small inputs generated here (WAVs, audio chunks, CDR
messages, images, JSON bodies). Writes fuzz/corpus/<target>/ (git-ignored); nothing binary is committed.

Usage: python3 fuzz/seeds.py        (idempotent: rewrites the seed files, keeps what the fuzzer added)
"""
import glob
import hashlib
import io
import json
import math
import os
import struct
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")
count = {}


def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    count[target] = count.get(target, 0) + 1


def files(pattern):
    return sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True))


def read(p):
    with open(p, "rb") as f:
        return f.read()


# --- YAML inputs: the repository's own files --------------------------------------------------
for p in files("kb/**/*.yaml"):
    put("kb_yaml", read(p))
for p in files("launch/params/*.yaml"):
    put("params_yaml", read(p))
put("params_yaml", "/**:\n  ros__parameters:\n    use_sim_time: true\n/navigation:\n  ros__parameters:\n    robot:\n      radius: 0.25\n")
for p in files("launch/*.launch.yaml"):
    put("launch_yaml", read(p))
for p in files("sim/scenarios/*.yaml"):
    put("scenario_yaml", read(p))
for p in files("maps/*.yaml"):
    put("map_yaml", read(p))
for p in files("maps/*.pgm"):
    put("map_pgm", read(p))
put("map_pgm", b"P2\n# tiny\n3 2\n255\n0 127 254\n255 1 200\n")
put("map_pgm", b"P5\n3 2\n255\n" + bytes([0, 127, 254, 255, 1, 200]))

# --- sentences for the intent router: a few from each NLU test set -------------------------------
for p in files("robot_nodes/nlu/tests/data/*.tsv"):
    lines = [l.split("\t")[0] for l in read(p).decode("utf-8").splitlines() if l and not l.startswith("#")]
    for l in lines[1:13]:
        put("nlu_understand", l)
put("nlu_understand", "")
put("nlu_understand", "3" + "ừm ờ cho tôi hỏi ")

# --- audio: small WAVs in the formats the readers meet, and raw chunks ----------------------------
def wav_bytes(rate, channels, width, n, freq=440.0):
    b = io.BytesIO()
    w = wave.open(b, "wb")
    w.setnchannels(channels)
    w.setsampwidth(width)
    w.setframerate(rate)
    frames = bytearray()
    for i in range(n):
        v = 0.4 * math.sin(2 * math.pi * freq * i / rate)
        for _ in range(channels):
            if width == 2:
                frames += struct.pack("<h", int(v * 32767))
            elif width == 1:
                frames += struct.pack("<B", int(v * 127 + 128))
            else:
                frames += struct.pack("<i", int(v * 2**31 - 1))
    w.writeframes(bytes(frames))
    w.close()
    return b.getvalue()


put("wav", wav_bytes(16000, 1, 2, 1600))
put("wav", wav_bytes(22050, 2, 2, 800))
put("wav", wav_bytes(8000, 1, 1, 400))
put("wav", wav_bytes(48000, 1, 4, 480))
put("wav", wav_bytes(44100, 1, 2, 0))
# header: 3 bytes of rate (LE), target selector, chunk/8, i16 flag, channels, pad; then samples
for rate, sel, i16 in [(16000, 0, 1), (48000, 0, 0), (22050, 1, 1), (8000, 2, 0)]:
    head = struct.pack("<I", rate)[:3] + bytes([sel, 40, i16, 1, 0])
    if i16:
        body = b"".join(struct.pack("<h", int(8000 * math.sin(i / 5))) for i in range(800))
    else:
        body = b"".join(struct.pack("<f", 0.3 * math.sin(i / 5)) for i in range(400))
        body += struct.pack("<fff", float("nan"), float("inf"), -1e30)
    put("audio_chunks", head + body)


# --- CDR messages (little endian, with the 4-byte encapsulation header) --------------------------
class Cdr:
    def __init__(self):
        self.b = bytearray()

    def align(self, n):
        while len(self.b) % n:
            self.b.append(0)

    def p(self, fmt, *v):
        self.align(struct.calcsize(fmt[-1]))
        self.b += struct.pack("<" + fmt, *v)
        return self

    def s(self, text):
        raw = text.encode() + b"\0"
        self.p("I", len(raw))
        self.b += raw
        return self

    def header(self, frame):
        return self.p("iI", 12, 34).s(frame)

    def seq(self, fmt, values):
        self.p("I", len(values))
        for v in values:
            self.p(fmt, v)
        return self


def cdr(kind, c):
    put("cdr_msgs", bytes([kind, 0, 1, 0, 0]) + bytes(c.b))


cdr(0, Cdr().p("iI", 5, 500))                         # rosgraph_msgs/Clock
cdr(1, Cdr().p("dddddd", 0.2, 0, 0, 0, 0, 0.1))       # geometry_msgs/Twist
cdr(2, Cdr().p("B", 1))                               # std_msgs/Bool
ranges = [1.0 + 0.01 * i for i in range(90)] + [float("nan"), float("inf"), -1.0]
cdr(5, Cdr().header("laser").p("fffffff", -1.5, 1.5, 3.0 / 92, 0, 0.1, 0.05, 12.0)
    .seq("f", ranges).seq("f", []))                   # sensor_msgs/LaserScan
img = bytes(range(256))[: 4 * 3 * 4]
cdr(10, Cdr().header("camera").p("II", 4, 4).s("bgr8").p("B", 0).p("I", 12)
    .seq("B", list(img)))                             # sensor_msgs/Image
cdr(19, Cdr().s("vi"))                                # std_msgs/String
cdr(22, Cdr().p("B", 0))                              # std_msgs/Empty
cdr(12, Cdr().header("").seq("I", []).s("a1b2c"))     # hri_msgs/IdsList (approximate)
cdr(8, Cdr().s("counter_5").s("vi"))                  # letan_interfaces/NavGoalPlace (approximate)
cdr(28, Cdr().p("B", 1).p("I", 16000).s("S16LE").p("I", 256000).s("wave"))  # audio_common_msgs/AudioInfo


# --- sensor_msgs/Image with independent sizes ----------------------------------------------------
def image(w, h, step, enc, data):
    return struct.pack("<III", w, h, step) + bytes([enc, 0]) + data


put("image_msg", image(4, 4, 12, 0, bytes(48)))
put("image_msg", image(8, 2, 8, 2, bytes(range(16)) + struct.pack("<ffff", 1, 0, 4, 2)))
put("image_msg", image(3, 3, 16, 3, bytes(range(48))))
put("image_msg", image(0, 0, 0, 1, b""))
put("image_msg", image(2, 100000, 6, 0, bytes(12)))

# --- JSON bodies ---------------------------------------------------------------------------------
console = [
    (0, {"username": "lan", "password": "operator-pass-1"}),
    (1, {"linear": 0.2, "angular": -0.3}),
    (1, {"linear": 0.1, "angular": 0.0, "source": "keyboard"}),
    (2, {"place": "counter_5"}),
    (3, {"text": "Xin chào", "lang": "vi"}),
    (4, {"id": 1}),
    (5, {}),
    (6, {}),
    (7, {}),
    (8, {}),
]
for sel, body in console:
    put("console_json", bytes([sel]) + json.dumps(body, ensure_ascii=False).encode())
screen = [
    (0, {"text": "quầy 5 ở đâu", "lang": "vi"}),
    (0, {"text": "where is counter 5"}),
    (1, {"id": "birth_registration", "lang": "en"}),
    (2, {}),
    (3, {"lang": "en"}),
    (4, {}),
    (5, {"yes": True, "lang": "vi"}),
]
for sel, body in screen:
    put("screen_json", bytes([sel]) + json.dumps(body, ensure_ascii=False).encode())

# Fleet payloads: selector byte, then the JSON body (the target signs it) or the raw bytes.
import io, tarfile, zipfile
status = {"v": 1, "site": "hoan-kiem", "robot": "robot-1", "instance": "a1b2", "seq": 7,
          "ts_ms": 1764979200000, "pose": {"x": 1.0, "y": 2.0, "yaw": 0.5},
          "dialog_state": "listening", "nav_state": "idle", "estop": False,
          "active_input": "", "cmd_linear": 0.0, "cmd_angular": 0.0,
          "nodes": [{"name": "nav", "ok": True}], "kb_version": "0123456789abcdef",
          "software_version": "0.1.0"}
events = [
    {"v": 1, "site": "hoan-kiem", "robot": "robot-1", "ts_ms": 1, "kind": "question",
     "intent": "fallback.out_of_scope", "outcome": "unanswered", "text": "số điện thoại 0912345678"},
    {"v": 1, "site": "hoan-kiem", "robot": "robot-1", "ts_ms": 2, "kind": "staff_alert", "reason": "requested"},
    {"v": 1, "site": "hoan-kiem", "robot": "robot-1", "ts_ms": 3, "kind": "error", "message": "nav died"},
]
commands = [
    {"type": "teleop", "linear": 0.2, "angular": 0.0}, {"type": "estop", "engage": True},
    {"type": "say", "text": "Xin chào", "lang": "vi"}, {"type": "go_to", "place": "counter_5"},
]
kb_files = [[n, read(os.path.join(ROOT, "kb", n)).decode("utf-8")] for n in ("prompts.yaml", "places.yaml")]
fleet = [(0, status)] + [(1, e) for e in events] + [
    (2, {"v": 1, "site": "hoan-kiem", "robot": "robot-1", "id": 5, "ts_ms": 1764979200000,
         "user": "an", "role": "operator", "body": c}) for c in commands] + [
    (3, {"v": 1, "ok": True, "message": "ok", "kb_version": "0123456789abcdef"}),
    (4, {"v": 1, "site": "hoan-kiem", "robot": "robot-1", "version": "0123456789abcdef", "files": kb_files}),
]
for sel, body in fleet:
    put("fleet_payloads", bytes([sel]) + json.dumps(body, ensure_ascii=False).encode())
zbuf = io.BytesIO()
with zipfile.ZipFile(zbuf, "w") as z:
    for name, text in kb_files:
        z.writestr(name, text)
put("fleet_payloads", bytes([5]) + zbuf.getvalue())
tbuf = io.BytesIO()
with tarfile.open(fileobj=tbuf, mode="w", format=tarfile.USTAR_FORMAT) as t:
    for name, text in kb_files:
        data = text.encode()
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
put("fleet_payloads", bytes([5]) + tbuf.getvalue())
for key in ["letan/hoan-kiem/robot-1/status", "letan/a/b/c/d", "tên tôi là Nguyễn Văn An, sđt 0912345678, an@example.vn"]:
    put("fleet_payloads", bytes([6]) + key.encode())
put("fleet_payloads", bytes([7]) + b"0" * 64 + b"\n" + json.dumps(status).encode())

for t in sorted(count):
    print(f"[seeds] {t}: {count[t]} seed files")
