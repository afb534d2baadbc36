#!/usr/bin/env python3
"""The layer check (ARCHITECTURE.md, issue 16): reads `cargo metadata` and fails, naming the path, when

- a pure core depends (normal dependencies, transitively) on a runtime or on ROS 2:
  tokio, axum, letan-transport, ros2-client;
- the simulator depends on navigation, the dialog or vision (it is the world, not the robot).

Dev-dependencies and build-dependencies are not followed: tests may use tokio.
Usage: check_layers.py [--manifest-path Cargo.toml]   exit 0 clean, 1 a rule broken, 2 cargo failed.
"""
import json
import subprocess
import sys

PURE = ["letan-core", "letan-nlu", "letan-dialog", "letan-nav", "letan-greeting", "letan-mux", "letan-map", "letan-sim"]
RUNTIME = {"tokio", "axum", "letan-transport", "ros2-client"}
RULES = [(core, RUNTIME, "a pure core must not depend on a runtime or on ROS 2") for core in PURE] + [
    ("letan-sim", {"letan-nav", "letan-dialog", "letan-vision"}, "the simulator must not depend on the robot's navigation, dialog or vision"),
]


def metadata(args):
    cmd = ["cargo", "metadata", "--format-version", "1", *args]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        sys.exit(2)
    return json.loads(run.stdout)


def normal_graph(meta):
    """package id -> [(dependency id)] over normal (not dev, not build) edges; and id -> name."""
    names = {p["id"]: p["name"] for p in meta["packages"]}
    graph = {}
    for node in meta["resolve"]["nodes"]:
        graph[node["id"]] = [d["pkg"] for d in node["deps"] if any(k["kind"] is None for k in d["dep_kinds"])]
    return names, graph


def path_to(graph, names, start, targets):
    """The first dependency chain from `start` to a package named in `targets` (breadth first), or None."""
    seen, queue = {start}, [[start]]
    while queue:
        chain = queue.pop(0)
        for dep in graph.get(chain[-1], []):
            if dep in seen:
                continue
            if names[dep] in targets:
                return chain + [dep]
            seen.add(dep)
            queue.append(chain + [dep])
    return None


def main():
    meta = metadata(sys.argv[1:])
    names, graph = normal_graph(meta)
    members = {names[i]: i for i in meta["workspace_members"]}
    broken = []
    for crate, forbidden, why in RULES:
        if crate not in members:
            continue
        chain = path_to(graph, names, members[crate], forbidden)
        if chain:
            broken.append(f"layer check: {crate} depends on {names[chain[-1]]} ({why}): " + " -> ".join(names[i] for i in chain))
    for line in broken:
        print(line, file=sys.stderr)
    if broken:
        print(f"layer check FAILED: {len(broken)} rule(s) broken; move the dependency behind a node crate or make it a dev-dependency", file=sys.stderr)
        sys.exit(1)
    checked = [c for c, _, _ in RULES if c in members]
    print(f"layer check: ok ({len(checked)} rules over {len(set(checked))} pure crates)")


if __name__ == "__main__":
    main()
