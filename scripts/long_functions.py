#!/usr/bin/env python3
"""Lists Rust functions longer than N lines (default 150), from `fn` to its closing brace.

Usage: python3 scripts/long_functions.py [N] [paths...]   (default: every tracked .rs file outside vendor/ and fuzz/target)
Prints `lines path:line name`, longest first, then the count. A lexer, not a parser: it skips comments,
strings (raw strings too) and char literals when it matches braces, which is enough for this tree.
"""
import re
import subprocess
import sys

FN = re.compile(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)")


def code_only(text):
    """The text with comments, strings and char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)
    depth = 0
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif re.match(r'b?r(#*)"', text[i:i + 300]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'b?r(#*)"', text[i:])
            close = '"' + m.group(1)
            j = text.find(close, i + m.end())
            j = n if j < 0 else j + len(close)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:
                out.append(" " * m.end())
                i += m.end()
            else:  # a lifetime or label
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    code = code_only(text)
    for m in FN.finditer(code):
        # the body starts at the first `{` after the signature, unless a `;` comes first (trait method)
        j = m.end()
        paren = 0
        while j < len(code):
            ch = code[j]
            if ch in "(<[":
                paren += 1
            elif ch in ")>]":
                paren -= 1
            elif ch == ";" and paren <= 0:
                j = -1
                break
            elif ch == "{" and paren <= 0:
                break
            j += 1
        if j < 0 or j >= len(code):
            continue
        depth, k = 0, j
        while k < len(code):
            if code[k] == "{":
                depth += 1
            elif code[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        start = code.count("\n", 0, m.start()) + 1
        end = code.count("\n", 0, k) + 1
        yield m.group(1), start, end - start + 1


def main():
    args = sys.argv[1:]
    limit = 150
    if args and args[0].isdigit():
        limit = int(args.pop(0))
    paths = args or [
        p for p in subprocess.run(["git", "ls-files", "*.rs"], capture_output=True, text=True, check=True).stdout.split()
        if not p.startswith(("vendor/", "target/", "fuzz/target/"))
    ]
    rows = []
    for p in paths:
        for name, line, length in functions(p):
            if length > limit:
                rows.append((length, f"{p}:{line}", name))
    rows.sort(reverse=True)
    for length, where, name in rows:
        print(f"{length:5} {where} {name}")
    print(f"{len(rows)} functions longer than {limit} lines")


if __name__ == "__main__":
    main()
