# median.awk reads `go test -bench` output and prints one line per
# benchmark and unit: "name<TAB>unit<TAB>median<TAB>runs". The GOMAXPROCS
# suffix (-2) is dropped from names, so runs on any machine line up.
#
#   go test -run '^$' -bench . -count 5 ./store | awk -f bench/median.awk
function median(list,    n, i, j, tmp, v) {
	n = split(list, v, " ")
	# insertion sort: a handful of runs per benchmark
	for (i = 2; i <= n; i++) {
		tmp = v[i] + 0
		for (j = i - 1; j >= 1 && v[j] + 0 > tmp; j--) v[j + 1] = v[j]
		v[j + 1] = tmp
	}
	if (n % 2) return v[(n + 1) / 2]
	return (v[n / 2] + v[n / 2 + 1]) / 2
}
/^Benchmark[^ \t]*[ \t]+[0-9]+[ \t]/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	# fields after the iteration count come in value, unit pairs
	for (i = 3; i + 1 <= NF; i += 2) {
		key = name "\t" $(i + 1)
		if (!(key in vals)) order[++n] = key
		vals[key] = vals[key] " " $i
		runs[key]++
	}
}
END {
	for (k = 1; k <= n; k++) {
		key = order[k]
		printf "%s\t%.6g\t%d\n", key, median(vals[key]), runs[key]
	}
}
