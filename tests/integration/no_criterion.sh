#!/bin/sh
# Run by make check only when configure did not find Criterion: the unit
# tests (tests/unit/) were not built. The integration tests still run.
echo "SKIP: criterion (libcriterion-dev) was not found by configure: the Criterion" \
	"unit tests in tests/unit/ were not built; install it and run configure again" >&2
exit 77
