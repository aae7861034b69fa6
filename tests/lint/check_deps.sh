#!/usr/bin/env bash
# The dependency rule of docs/HACKING.md, as a test (scripts/check-deps.sh).
exec bash "$FK_SRC/scripts/check-deps.sh"
