#!/usr/bin/env python3
"""Tiny synthetic docker-save archives for store tests (hostile ones too).

Usage: mkimage.py OUT.tar < spec.json, where spec is
  {"name": "a:1" or null, "layers": [[ENTRY, ...] or "LAYER.tar", ...],
   "diff_ids": [...] (optional override), "manifest_layers": [...] (optional
   override of manifest.json's Layers), "extra": [ENTRY, ...] (outer members),
   "layout": "blobs" (Docker 25's save: blobs/sha256/<hex> members, and
   <id>/layer.tar symlinks to them)}
where "LAYER.tar" is an existing layer tar, taken as it is, and ENTRY is
  {"path": P, "type": "file"|"dir"|"symlink"|"hardlink"|"char",
  "data": TEXT, "link": TARGET, "mode": N, "major": N, "minor": N}.
"""
import hashlib, io, json, sys, tarfile

TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
         "hardlink": tarfile.LNKTYPE, "char": tarfile.CHRTYPE}


def add(tf, e):
    t = tarfile.TarInfo(e["path"])
    t.type = TYPES[e.get("type", "file")]
    t.mode = e.get("mode", 0o755 if t.type == tarfile.DIRTYPE else 0o644)
    t.mtime = 1700000000
    t.linkname = e.get("link", "")
    t.devmajor, t.devminor = e.get("major", 0), e.get("minor", 0)
    data = e.get("data", "").encode() if t.type == tarfile.REGTYPE else b""
    t.size = len(data)
    tf.addfile(t, io.BytesIO(data))


def tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            add(tf, e)
    return buf.getvalue()


def sha(b):
    return hashlib.sha256(b).hexdigest()


spec = json.load(sys.stdin)
layers = [open(l, "rb").read() if isinstance(l, str) else tar(l) for l in spec["layers"]]
diff_ids = spec.get("diff_ids") or ["sha256:" + sha(l) for l in layers]
cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                  "config": {"Cmd": ["sh"]},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
blobs = spec.get("layout") == "blobs"
names = [("blobs/sha256/" if blobs else "") + sha(l) + ("" if blobs else "/layer.tar")
         for l in layers]
config_name = ("blobs/sha256/" + sha(cfg)) if blobs else (sha(cfg) + ".json")
manifest = [{"Config": config_name,
             "RepoTags": [spec["name"]] if spec.get("name") else [],
             "Layers": spec.get("manifest_layers", names)}]
with tarfile.open(sys.argv[1], "w") as tf:
    def member(name, data):
        t = tarfile.TarInfo(name)
        t.size = len(data)
        t.mtime = 1700000000
        tf.addfile(t, io.BytesIO(data))
    for n, l in zip(names, layers):
        member(n, l)
        if blobs:
            add(tf, {"path": sha(l) + "/layer.tar", "type": "symlink",
                     "link": "../blobs/sha256/" + sha(l)})
    member(config_name, cfg)
    for e in spec.get("extra", []):
        add(tf, e)
    member("manifest.json", json.dumps(manifest).encode())
