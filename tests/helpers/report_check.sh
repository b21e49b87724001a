#!/usr/bin/env bash
# report_check.sh REPORT.html RELEASE_DIR... - every figure of the report is
# its release's cell: each table cell (data-c="year|level|area|table|
# category|breakdown_value|field") shows the release's figure (':' where
# suppressed, '.' where empty), each chart value (the chart-data blocks) is
# that figure or null where it is ':' or empty, each coverage figure
# (data-v) is coverage.csv's; and no suppressed count has a percent, rate or
# estimate printed anywhere in the report, nor a suppressed i_alt a percent
# of its column. Prints a summary line; exits 1 naming the first mismatch.
set -euo pipefail
html=${1:?usage: report_check.sh REPORT.html RELEASE_DIR...}
shift
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The releases' cells: key<TAB>figure.
for d in "$@"; do
	awk -F, 'NR > 1 {
		k = $1 "|" $2 "|" $3 "|" $4 "|" $6 "|" $8 "|"
		print k "count\t" $9; print k "percent\t" $10
		print k "rate_per_10k\t" $11; print k "estimate\t" $12 }' "$d/tables.csv"
	awk -F, 'NR > 1 { k = $1 "|" $2 "|" $3 "|"
		print k "kommuner_reported\t" $4; print k "kommuner_total\t" $5
		print k "population_18plus_reported\t" $6; print k "population_18plus_total\t" $7
		print k "coverage_percent\t" $8 }' "$d/coverage.csv"
done >"$tmp/rel"

# The report's table cells and coverage figures: T<TAB>key<TAB>shown.
grep -o 'data-[cv]="[^"]*"[^>]*>[^<]*<' "$html" |
	sed -e 's/^data-\([cv]\)="\([^"]*\)"[^>]*>\([^<]*\)<$/\1\t\2\t\3/' -e 's/\xc2\xa0//g' >"$tmp/cells" || true
# The charts' values: key<TAB>value.
grep -o '<script type="application/json" class="chart-data"[^<]*</script>' "$html" |
	grep -o '\["[^"]*",[^]]*\]' | sed 's/^\["\([^"]*\)",\(.*\)\]$/\1\t\2/' >"$tmp/chart" || true

awk -F'\t' -v cells="$tmp/cells" -v chart="$tmp/chart" '
FILENAME != cells && FILENAME != chart { rel[$1] = $2; next }
FILENAME == cells {
	want = ($2 in rel) ? rel[$2] : "\001missing"
	if (want == "\001missing") { printf "report_check: %s not in any release\n", $2; bad = 1; exit 1 }
	shown = $3; gsub(/,/, ".", shown)
	if (want == "" && $1 == "c") want = "."
	if (shown != want) { printf "report_check: %s shows %s, the release has %s\n", $2, $3, want; bad = 1; exit 1 }
	n[$1]++
	if (want == ":") sup++
	seen[$2] = shown
	next
}
FILENAME == chart {
	if (!($1 in rel)) { printf "report_check: chart value %s not in any release\n", $1; bad = 1; exit 1 }
	want = rel[$1]
	if (want == ":" || want == "") { if ($2 != "null") { printf "report_check: chart shows %s for hidden %s\n", $2, $1; bad = 1; exit 1 }; nnull++ }
	else if ($2 != want) { printf "report_check: chart value %s is %s, the release has %s\n", $1, $2, want; bad = 1; exit 1 }
	nchart++
}
END {
	if (bad) exit 1
	# Nothing derived beside a hidden figure: a hidden count has no shown
	# percent, rate or estimate; a hidden i_alt no shown percent in its column.
	for (k in seen) {
		if (seen[k] != ":" || k !~ /\|count$/) continue
		base = substr(k, 1, length(k) - 5)
		split("percent rate_per_10k estimate", f, " ")
		for (i = 1; i <= 3; i++)
			if ((base f[i]) in seen && seen[base f[i]] != ":") {
				printf "report_check: %s is hidden but its %s is shown\n", k, f[i]; exit 1 }
		split(k, p, "|")
		if (p[5] == "i_alt") hidden_total[p[1] "|" p[2] "|" p[3] "|" p[4] "|" p[6]] = 1
	}
	for (k in seen) {
		if (k !~ /\|percent$/ || seen[k] == ":" || seen[k] == ".") continue
		split(k, p, "|")
		if ((p[1] "|" p[2] "|" p[3] "|" p[4] "|" p[6]) in hidden_total) {
			printf "report_check: %s is shown though its i_alt is hidden\n", k; exit 1 }
	}
	if (n["c"] == 0) { print "report_check: no table cells found"; exit 1 }
	printf "report_check: %d table cells, %d coverage figures, %d chart values (%d hidden) equal the release; %d hidden cells shown as :\n", n["c"], n["v"], nchart, nnull, sup
}' "$tmp/rel" "$tmp/cells" "$tmp/chart"
