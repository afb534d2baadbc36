#!/usr/bin/env python3
"""Builds tests/data/standin_piper.onnx: a stand-in for a Piper voice, with Piper's exact I/O.

No Piper voice can be downloaded on the build machines, so the Piper path (espeak phonemizer ->
phoneme ids -> ONNX Runtime -> audio) is tested with this graph instead of a trained VITS model.
It has the same signature as a single-speaker Piper export (piper/src/python/piper_train/export_onnx.py):

  inputs:  input          int64   [1, N]   phoneme ids
           input_lengths  int64   [1]      N
           scales         float32 [3]      noise_scale, length_scale, noise_w
  output:  output         float32 [1, 1, T]

and it produces a 220 Hz tone of T = floor(N * 256 * length_scale) samples (256 = Piper's hop
length), with amplitude 0.1 + 0.002 * mean(id) capped at 0.9, so tests can see that the ids and
scales really reached ONNX Runtime. It says nothing about voice quality or speed.

It also writes tests/data/standin_piper.onnx.json, a voice config in Piper's format (sample rate
22050, espeak voice "vi", one speaker). Its phoneme_id_map is our own enumeration of the IPA
symbols espeak-ng emits (not copied from a real voice), so ids differ from a trained model's.

Run:  python3 robot_nodes/speech/scripts/make_standin_piper.py   (needs `pip install onnx`)
"""
import os

import onnx
from onnx import TensorProto, helper

import json

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "standin_piper.onnx")


def const(name, value, dtype=TensorProto.FLOAT, dims=()):
    vals = value if isinstance(value, list) else [value]
    return helper.make_node(
        "Constant", [], [name], value=helper.make_tensor(name + "_t", dtype, list(dims), vals)
    )


nodes = [
    const("one_i", 1, TensorProto.INT64, [1]),
    const("hop", 256.0),
    const("zero_f", 0.0),
    const("one_f", 1.0),
    const("omega", 2.0 * 3.141592653589793 * 220.0 / 22050.0),
    const("base_amp", 0.1),
    const("amp_per_id", 0.002),
    const("max_amp", 0.9),
    const("idx_len", 1, TensorProto.INT64, [1]),
    const("out_shape", [1, 1, -1], TensorProto.INT64, [3]),
    # N = input.shape[1]
    helper.make_node("Shape", ["input"], ["in_shape"]),
    helper.make_node("Gather", ["in_shape", "idx_len"], ["n_i"], axis=0),
    helper.make_node("Cast", ["n_i"], ["n_f1"], to=TensorProto.FLOAT),
    helper.make_node("Squeeze", ["n_f1"], ["n_f"]),
    # length_scale = scales[1]
    helper.make_node("Gather", ["scales", "one_i"], ["ls1"], axis=0),
    helper.make_node("Squeeze", ["ls1"], ["ls"]),
    # T = floor(N * 256 * length_scale)
    helper.make_node("Mul", ["n_f", "hop"], ["nh"]),
    helper.make_node("Mul", ["nh", "ls"], ["t_raw"]),
    helper.make_node("Floor", ["t_raw"], ["t_len"]),
    helper.make_node("Range", ["zero_f", "t_len", "one_f"], ["t"]),
    helper.make_node("Mul", ["t", "omega"], ["phase"]),
    helper.make_node("Sin", ["phase"], ["tone"]),
    # amplitude from the ids
    helper.make_node("Cast", ["input"], ["ids_f"], to=TensorProto.FLOAT),
    helper.make_node("ReduceMean", ["ids_f"], ["mean_id"], keepdims=0),
    helper.make_node("Mul", ["mean_id", "amp_per_id"], ["amp_a"]),
    helper.make_node("Add", ["amp_a", "base_amp"], ["amp_b"]),
    helper.make_node("Min", ["amp_b", "max_amp"], ["amp"]),
    helper.make_node("Mul", ["tone", "amp"], ["wave"]),
    helper.make_node("Reshape", ["wave", "out_shape"], ["output"]),
]

graph = helper.make_graph(
    nodes,
    "piper_standin",
    [
        helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
    ],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "time"])],
)
model = helper.make_model(
    graph,
    opset_imports=[helper.make_opsetid("", 17)],
    producer_name="letan make_standin_piper.py",
)
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(os.path.dirname(OUT), exist_ok=True)
onnx.save(model, OUT)
print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")

# --- the voice config ---
SYMBOLS = (
    ["_", "^", "$", " "]
    + list("!'(),-.:;?")
    + list("123456")
    + list("abcdefghijklmnopqrstuvwxyz")
    + list("ɐɑɒæɓʙβɔɕçɗɖðʤəɘɚɛɜɝɞɟʄɡɠɢʛɦɧħɥʜɨɪʝɭɬɫɮʟɱɯɰŋɳɲɴøɵɸθœɶʘɹɺɾɻʀʁɽʂʃʈʧʉʊʋⱱʌɣɤʍχʎʏʑʐʒʔʡʕʢ")
    + list("ˈˌːˑʼʴʰʱʲʷˠˤ˞↓↑→↗↘ᵻ")
    + ["\u0329", "\u032a", "\u0303", "\u0306", "\u031a"]
)
config = {
    "audio": {"sample_rate": 22050},
    "espeak": {"voice": "vi"},
    "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
    "num_speakers": 1,
    "speaker_id_map": {},
    "phoneme_id_map": {sym: [i] for i, sym in enumerate(SYMBOLS)},
    "dataset": "letan-standin (not a trained voice)",
}
assert len(set(SYMBOLS)) == len(SYMBOLS)
with open(OUT + ".json", "w", encoding="utf-8") as f:
    json.dump(config, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"wrote {os.path.normpath(OUT)}.json ({len(SYMBOLS)} symbols)")
