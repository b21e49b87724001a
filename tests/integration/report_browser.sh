#!/usr/bin/env bash
# report_browser.sh - headless Chromium opens the national, a fylke and a
# kommune report (made from a real release): no console message (the
# report's Content-Security-Policy makes any attempt to load a resource a
# console error), no resource loaded, every chart drawn (a non-empty SVG
# with as many bars or points as its data has marks); screenshots are kept
# in the build directory (tests/report-artifacts/). Skipped (exit 77) only
# where chromium is not installed.  Under the sanitizers the reports and the
# PDF are made, but the pages are not opened (the plain build's run does).
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
browser=${BPAGG_CHROMIUM:-chromium}
if ! command -v "$browser" >/dev/null; then
	echo "SKIP: $browser is not installed (Debian package chromium; ./quickstart installs it)"
	exit 77
fi
src=${BP_SRCDIR:?} build=${BP_BUILDDIR:?}
art=$build/tests/report-artifacts
mkdir -p "$art"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Two years: 2023 (ROP definition 2015, national only) and 2024 (all levels).
"$src/tests/helpers/report_release.sh" "$tmp/y2024" 2024 2016 "nasjonal fylke kommune" 60 3401 3403 3405 0301 >/dev/null
"$src/tests/helpers/report_release.sh" "$tmp/y2023" 2023 2015 nasjonal 60 3401 3403 3405 0301 >/dev/null

# A fylke and a kommune that did not report have no tables: said so (not
# that the level was left out of the release).
for spec in 11:'no kommune of fylke 11 reported for 2024' 1103:'kommune 1103 did not report for 2024'; do
	rc=0; bpagg report "$tmp/y2024/rel" --out "$tmp/none" --area "${spec%%:*}" 2>"$tmp/err" || rc=$?
	[ $rc -eq 65 ] || fail "--area ${spec%%:*} (did not report): exit $rc"
	grep -q "${spec#*:}" "$tmp/err" || fail "--area ${spec%%:*}: $(cat "$tmp/err")"
done

# The pages are our own, from local files: no need for Chromium's sandbox,
# which a CI container without user namespaces cannot give.
sandbox=(--no-sandbox)
export BPAGG_CHROMIUM_NO_SANDBOX=1
run_browser() { # run_browser PROFILE ARGS... : chromium headless, its log on stderr
	timeout 120 "$browser" --headless "${sandbox[@]}" --disable-gpu --no-first-run \
		--user-data-dir="$1" --enable-logging=stderr --v=0 --window-size=1200,1600 "${@:2}"
}

for spec in NO:nasjonal 34:fylke-34 3401:kommune-3401; do
	area=${spec%%:*} name=${spec#*:}
	out=$tmp/r-$name
	bpagg report "$tmp/y2023/rel" "$tmp/y2024/rel" --out "$out" --area "$area" >/dev/null ||
		fail "bpagg report --area $area"
	html=$out/index.html
	want=$(grep -c '<figure class="chart"' "$html")
	[ "$want" -gt 0 ] || fail "$name: no chart in the report"

	# Under the sanitizers the reports are made (bpagg report at every
	# level, and --pdf) but not opened: Chromium is the same program in both
	# builds, and the pages the same bytes, which the plain build's run opens.
	if [ -z "${BP_SANITIZED:-}" ]; then
		# The report itself: a screenshot, and nothing on the console.
		run_browser "$tmp/prof-$name" --screenshot="$art/$name.png" "file://$html" \
			>"$tmp/$name.out" 2>"$tmp/$name.log" || { tail "$tmp/$name.log"; fail "$name: chromium failed"; }
		[ -s "$art/$name.png" ] || fail "$name: no screenshot"
		if grep -E ':CONSOLE' "$tmp/$name.log"; then
			fail "$name: the console has messages (above)"
		fi

		# A copy with the harness (and without the policy that forbids scripts).
		sed -e 's/<meta http-equiv="Content-Security-Policy"[^>]*>//' -e '/^<\/body><\/html>$/d' "$html" >"$out/check.html"
		{ echo '<script>'; cat "$src/tests/helpers/report_harness.js"; echo '</script></body></html>'; } >>"$out/check.html"
		run_browser "$tmp/prof-$name" --dump-dom "file://$out/check.html" >"$tmp/$name.dom" 2>"$tmp/$name.log2" ||
			fail "$name: chromium --dump-dom failed"
		if grep -E ':CONSOLE' "$tmp/$name.log2"; then
			fail "$name: the console has messages with the harness (above)"
		fi
		line=$(grep -o 'HARNESS charts=[0-9].*' "$tmp/$name.dom" | sed 's/<.*//') ||
			fail "$name: the harness did not run"
		[[ $line =~ charts=$want\ resources=0\ \| ]] || fail "$name: $line (want $want charts, no resource)"
		for c in ${line#*| }; do
			IFS=: read -r i w h drawn marks <<<"$c"
			[ "$w" -gt 100 ] && [ "$h" -gt 100 ] || fail "$name: chart $i is ${w}x$h"
			[ "$drawn" = "$marks" ] || fail "$name: chart $i draws $drawn marks, its data has $marks"
		done
	fi

	cp "$html" "$art/$name.html"
	if [ "$name" = nasjonal ]; then
		# The printable version: A4 pages, each chapter on a page of its own.
		bpagg report "$tmp/y2023/rel" "$tmp/y2024/rel" --out "$out" --pdf >/dev/null || fail "--pdf"
		pdf=$out/rapport.pdf
		[ "$(head -c 5 "$pdf")" = "%PDF-" ] || fail "rapport.pdf is not a PDF"
		chapters=$(grep -c '<section class="chapter">' "$html")
		pages=$(grep -a -c '/Type /Page\b' "$pdf" || true)
		[ "$pages" -gt "$chapters" ] || fail "rapport.pdf has $pages pages for $chapters chapters"
		boxes=$(grep -a -o '/MediaBox \[[^]]*\]' "$pdf" | sort -u)
		[[ $boxes =~ ^/MediaBox\ \[0\ 0\ 59[45]\.[0-9]*\ 84[12]\.[0-9]*\]$ ]] || fail "not A4: $boxes"
		cp "$pdf" "$art/$name.pdf"
	fi
	if [ -z "${BP_SANITIZED:-}" ]; then
		echo "$name: $want charts drawn; screenshot $art/$name.png"
	else
		echo "$name: made ($want charts), not opened under the sanitizers"
	fi
done
