#!/usr/bin/env bash
# layering_check.sh SRCDIR - the pipeline's stages may use only earlier
# stages. Reads every #include "..." of the stage folders, finds the folder
# that holds the header, and fails naming file and line when a stage includes
# a header of a later stage or of a program (cli/, daemon/).
set -euo pipefail
src=${1:?usage: layering_check.sh SRCDIR}
stages=(crypto export measures conf store ingest publish report)
programs=(cli daemon)

declare -A rank=()
for i in "${!stages[@]}"; do rank[${stages[$i]}]=$i; done
for p in "${programs[@]}"; do rank[$p]=${#stages[@]}; done

# header name -> folder that holds it (names are unique across folders).
declare -A home=()
for d in "${stages[@]}" "${programs[@]}"; do
	for h in "$src/$d"/*.h; do
		[ -e "$h" ] || continue
		n=${h##*/}
		if [ -n "${home[$n]:-}" ]; then
			echo "layering: $n is in both ${home[$n]}/ and $d/" >&2; exit 1
		fi
		home[$n]=$d
	done
done

bad=0
for d in "${stages[@]}"; do
	files=("$src/$d"/*.[ch])
	[ -e "${files[0]}" ] || continue
	# one grep a stage and bash's own match (a sed a line took the test a
	# minute under load)
	while IFS=: read -r f line inc; do
		[[ $inc =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]*)\" ]] || continue
		h=${BASH_REMATCH[1]##*/}
		owner=${home[$h]:-}
		[ -n "$owner" ] || continue
		if [ "${rank[$owner]}" -gt "${rank[$d]}" ]; then
			echo "$d/${f##*/}:$line: includes $h of $owner/, a later stage than $d/" >&2
			bad=1
		fi
	done < <(grep -H -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "${files[@]}" || true)
done
exit $bad
