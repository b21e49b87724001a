# attack_check.awk - compares release_attack's intervals with the truth.
#   awk -v mc=MIN_CELL [-v zeros=1] -f attack_check.awk TRUTH/tables.csv TRUTH/sums.csv ATTACK.csv
# TRUTH is a release of the same year and store with nothing hidden
# (min_cell = 1). Prints "hidden H primaries P bounded B wrong W missing M":
# H hidden cells attacked, P of them primary (1 <= true < mc; with zeros,
# as under suppress_zero = yes, 0 <= true < mc), B primaries
# whose hi is below mc (or, with lo and hi both given, pinned: lo == hi),
# W cells whose true value is outside [lo, hi] (the attacker's model would
# be false), M hidden cells not in the truth. The first cells of each kind
# go to standard error.
BEGIN { FS = "," }
FNR == 1 { f++; next }
f == 1 { t[$2 "," $3 "," $4 "," $6 "," $8] = $9; next }
f == 2 { t[$2 "," $3 "," $4 "__" $5 ",count," $6] = $7; next }
f == 3 {
	k = $1 "," $2 "," $3 "," $4 "," $5
	if (!(k in t)) { miss++; next }
	v = t[k] + 0
	n++
	if ($6 != "" && ($6 + 0 > v || ($7 != "inf" && $7 + 0 < v))) {
		wrong++
		if (wrong <= 5) print "WRONG " $0 " true " v > "/dev/stderr"
	}
	if ((v >= 1 || (zeros && v == 0)) && v < mc) {
		prim++
		if (($7 != "inf" && $7 + 0 < mc) || ($6 != "" && $6 == $7)) {
			bad++
			if (bad <= 5) print "BOUNDED " $0 " true " v > "/dev/stderr"
		}
	}
}
END { printf "hidden %d primaries %d bounded %d wrong %d missing %d\n", n, prim, bad, wrong, miss }
