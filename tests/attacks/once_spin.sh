#!/usr/bin/env bash
# once_spin.sh - a file the daemon cannot claim (here: in a kommune folder
# inbox/NNNN/ the uploader made, mode 0755, so bpaggd running as its
# service user cannot rename out of it) makes `bpaggd --once` list and
# retry for ever at full speed (daemon/bpaggd.c, after_work_cb: "list
# again after a batch" while the listing is not empty), logging "cannot
# claim it" thousands of times a second; the service logs it every second.
# Exits 1 when --once has not ended within 15 s, or logs > 100 lines.
. "$(dirname "$0")/lib.sh"
setup_install
serve_as daemon
csv=$(make_export $A 2024 20 1)
seal_to $A 2024 "$csv" "$T/real.bpx"
chmod 644 "$T/real.bpx"
as_uploader mkdir "$in/$A"
as_uploader cp "$T/real.bpx" "$in/$A/x.bpx"
rc=0
timeout 15 bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
n=$(grep -c 'cannot claim' "$log" || true)
echo "bpaggd --once exit $rc; \"cannot claim\" logged $n times"
[ $rc -ne 124 ] || broken "bpaggd --once still running after 15 s, $n log lines"
[ "$n" -le 100 ] || broken "$n log lines for one file"
held "--once ended ($rc), $n log lines"
