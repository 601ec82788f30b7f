#!/usr/bin/env bash
# The archiver that goes with zig-cc.sh.
exec "$KAIGO_ZIG" ar "$@"
