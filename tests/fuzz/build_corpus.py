#!/usr/bin/env python3
"""Builds the seed corpus and dictionaries of every fuzz target.

    tests/fuzz/build_corpus.py OUT_DIR

writes OUT_DIR/corpus/<target>/<sha1> seed files and OUT_DIR/dicts/<target>.dict:

  * vendor targets (losant, notehub, thousandeyes, koophone, kakaocloud_bcs): every JSON file
    of tests/fixtures/<vendor>/, and every body a golden case serves (tests/golden/<vendor>/*/
    served.json, body_file resolved in the case folder, else in the fixtures); the dictionary
    is every object key and short string value of those bodies plus the JSON punctuation;
  * config: every TOML file under config/, tests/configs/ and tests/golden/; the dictionary is
    every key those files use, the vendor table headers and TOML punctuation;
  * http_params: hand-made header/query pairs (tests/fuzz/seeds/http_params/) and its static
    dictionary.

The regressions (tests/fuzz/regressions/<target>/) are added to the corpus as well, so a longer
run starts from every input that once broke something.
"""
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENDORS = ["losant", "notehub", "thousandeyes", "koophone", "kakaocloud_bcs"]


def write_seed(out, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def json_tokens(value, tokens):
    if isinstance(value, dict):
        for k, v in value.items():
            tokens.add(json.dumps(k))
            json_tokens(v, tokens)
    elif isinstance(value, list):
        for v in value:
            json_tokens(v, tokens)
    elif isinstance(value, str) and 0 < len(value) <= 40:
        tokens.add(json.dumps(value))


def dict_line(token):
    escaped = "".join(
        c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02x" % b
        for c, b in ((chr(b), b) for b in token.encode("utf-8")))
    return '"%s"' % escaped


def write_dict(path, tokens):
    with open(path, "w") as f:
        for t in sorted(tokens):
            if 0 < len(t.encode("utf-8")) <= 64:
                f.write(dict_line(t) + "\n")


def vendor_bodies(vendor):
    fixtures = os.path.join(ROOT, "tests", "fixtures", vendor)
    for name in sorted(os.listdir(fixtures)):
        if name.endswith(".json"):
            yield os.path.join(fixtures, name)
    golden = os.path.join(ROOT, "tests", "golden", vendor)
    for case in sorted(os.listdir(golden)):
        folder = os.path.join(golden, case)
        served = os.path.join(folder, "served.json")
        if os.path.isfile(served):
            for entry in json.loads(read(served)):
                body = entry.get("body_file")
                if not body:
                    continue
                for base in (folder, fixtures):
                    if os.path.isfile(os.path.join(base, body)):
                        yield os.path.join(base, body)
                        break
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json") and name not in ("served.json", "knobs.json"):
                yield os.path.join(folder, name)


def toml_files():
    for top in ("config", os.path.join("tests", "configs"), os.path.join("tests", "golden")):
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for name in sorted(names):
                if name.endswith(".toml"):
                    yield os.path.join(dirpath, name)


def add_regressions(target, out):
    folder = os.path.join(HERE, "regressions", target)
    if os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            if not name.startswith("README"):
                write_seed(out, read(os.path.join(folder, name)))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: build_corpus.py OUT_DIR")
    out_dir = sys.argv[1]
    dicts = os.path.join(out_dir, "dicts")
    os.makedirs(dicts, exist_ok=True)
    punctuation = {"{", "}", "[", "]", ":", ",", "null", "true", "false", "-1", "0", "1e308",
                   "-0", "1.5", '""', '"\\u0000"', '"\\ud83d\\ude00"', "\xff"}
    for vendor in VENDORS:
        out = os.path.join(out_dir, "corpus", vendor)
        os.makedirs(out, exist_ok=True)
        tokens = set(punctuation)
        for path in vendor_bodies(vendor):
            data = read(path)
            write_seed(out, data)
            try:
                json_tokens(json.loads(data), tokens)
            except ValueError:
                pass
        add_regressions(vendor, out)
        write_dict(os.path.join(dicts, vendor + ".dict"), tokens)

    out = os.path.join(out_dir, "corpus", "config")
    os.makedirs(out, exist_ok=True)
    tokens = {"=", "[", "]", "[[", "]]", "{", "}", '"', "'''", '"""', ",", "#", "true", "false",
              "1970-01-01T00:00:00Z", "1e400", "-0", "0x10", "inf", "nan", '"10s"', '"5m"',
              '"1h30m"', '"-1s"', '"0s"', '"999999999999h"', "\\u0000", "\n"}
    for vendor in VENDORS:
        tokens.add("[[%s]]" % vendor)
    tokens.add("[global]")
    for path in toml_files():
        data = read(path)
        write_seed(out, data)
        for key in re.findall(rb"^\s*([A-Za-z0-9_]+)\s*=", data, re.M):
            tokens.add(key.decode())
    add_regressions("config", out)
    write_dict(os.path.join(dicts, "config.dict"), tokens)

    out = os.path.join(out_dir, "corpus", "http_params")
    os.makedirs(out, exist_ok=True)
    seeds = os.path.join(HERE, "seeds", "http_params")
    for name in sorted(os.listdir(seeds)):
        write_seed(out, read(os.path.join(seeds, name)))
    add_regressions("http_params", out)
    with open(os.path.join(dicts, "http_params.dict"), "w") as f:
        f.write(read(os.path.join(HERE, "http_params.dict")).decode())

    for target in sorted(os.listdir(os.path.join(out_dir, "corpus"))):
        count = len(os.listdir(os.path.join(out_dir, "corpus", target)))
        print("%-16s %4d seeds" % (target, count))


if __name__ == "__main__":
    main()
