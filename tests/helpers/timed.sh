#!/bin/sh
# LOG_COMPILER of every test: runs it and ends its log with the seconds it
# took, so that quickstart can say which tests take CI's time.  The test's
# exit status (77 skip, 99 hard error) is passed on unchanged.
t0=$(date +%s%N)
"$@"
rc=$?
t1=$(date +%s%N)
echo "# test seconds: $(( (t1 - t0) / 1000000000 )).$(( (t1 - t0) / 100000000 % 10 ))"
exit $rc
