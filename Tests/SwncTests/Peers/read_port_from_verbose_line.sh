#!/bin/sh
# What a script does with `-v -l 127.0.0.1 0`: read the host and the real port from the
# "Listening on" line, then connect to them. Prints what the listener received.
# Usage: read_port_from_verbose_line.sh SWNC
swnc=$1
exec 3>&1
"$swnc" -v -l 127.0.0.1 0 2>&1 >&3 </dev/null | {
    read -r listening on address port || exit 2
    [ "$listening $on" = "Listening on" ] || exit 3
    echo "hello via $port" | "$swnc" -N "$address" "$port" || exit 4
}
