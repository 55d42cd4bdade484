#!/bin/sh
# What a script does with `-v -l 127.0.0.1 0`: read the real port from the "Listening on" line,
# then connect to it. Prints what the listener received. Usage: read_port_from_verbose_line.sh SWNC
swnc=$1
exec 3>&1
"$swnc" -v -l 127.0.0.1 0 2>&1 >&3 </dev/null | {
    read -r listening on address port || exit 2
    [ "$listening $on $address" = "Listening on 127.0.0.1" ] || exit 3
    echo "hello via $port" | "$swnc" -N 127.0.0.1 "$port" || exit 4
}
