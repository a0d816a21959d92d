#!/bin/sh
# Makes the example recordings in this folder by running the demo (a fresh 'mixed' sandbox, the stock
# and example hooks) and keeping what it recorded: nothing here is written by hand. Run it after an
# intended change of a stock hook; examples/src/test replays these files and fails when hooks differ.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
home=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$home/guesthook" demo --keep-recordings "$work" > /dev/null
take() {  # take VMID NAME
  cp "$(ls "$work/$1"-*.jsonl | head -n 1)" "$here/$2.jsonl"
}
take 202 gvt-g-mdev
take 302 nvidia-vgpu-mdev
take 402 nvidia-vgpu-vf
take 501 sriov-vf-mac-vlan
take 601 gpu-release-to-host
take 702 hibernate-and-resume
take 503 failed-pre-start-rolled-back
chmod 644 "$here"/*.jsonl
ls -l "$here"/*.jsonl
