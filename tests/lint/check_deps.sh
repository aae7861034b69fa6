#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The dependency rule of docs/HACKING.md, as a test (scripts/check-deps.sh).
exec bash "$FK_SRC/scripts/check-deps.sh"
