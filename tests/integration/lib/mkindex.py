#!/usr/bin/env python3
"""Push a manifest list by hand: mkindex.py PORT REPO TAG SRC_TAG=OS/ARCH[/VARIANT]...

Each SRC_TAG's manifest (already in REPO) becomes an entry with that platform,
plus a buildx-style attestation entry (unknown/unknown) that must be skipped.
Prints the index digest. Standard library only, 127.0.0.1 only."""
import hashlib
import json
import sys
import urllib.request

port, repo, tag = sys.argv[1], sys.argv[2], sys.argv[3]
base = "http://127.0.0.1:%s/v2/%s/manifests/" % (port, repo)
accept = ("application/vnd.oci.image.manifest.v1+json,"
          "application/vnd.docker.distribution.manifest.v2+json")
entries = []
for spec in sys.argv[4:]:
    src, plat = spec.split("=")
    req = urllib.request.Request(base + src, headers={"Accept": accept})
    with urllib.request.urlopen(req) as r:
        body = r.read()
        mt = r.headers["Content-Type"]
    p = plat.split("/")
    platform = {"os": p[0], "architecture": p[1]}
    if len(p) > 2:
        platform["variant"] = p[2]
    entries.append({"mediaType": mt, "digest": "sha256:" + hashlib.sha256(body).hexdigest(),
                    "size": len(body), "platform": platform})
att = dict(entries[0])
att["platform"] = {"os": "unknown", "architecture": "unknown"}
att["annotations"] = {"vnd.docker.reference.type": "attestation-manifest",
                      "vnd.docker.reference.digest": entries[0]["digest"]}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [att] + entries}
data = json.dumps(index).encode()
req = urllib.request.Request(base + tag, data=data, method="PUT",
                             headers={"Content-Type": index["mediaType"]})
with urllib.request.urlopen(req) as r:
    assert r.status == 201, r.status
print("sha256:" + hashlib.sha256(data).hexdigest())
