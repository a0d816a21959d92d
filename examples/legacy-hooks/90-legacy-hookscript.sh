#!/bin/sh
# An existing Proxmox hookscript, kept as it is: guesthook runs it as '<file> <vmid> <phase>' like
# Proxmox would, takes its output into the task log and its exit code as the outcome. On a simulated
# host it is reported as skipped, since it would act on the real machine.
vmid="$1"
phase="$2"
echo "legacy hookscript: VM $vmid $phase"
exit 0
