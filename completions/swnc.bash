# bash completion for swnc(1), a netcat                    -*- shell-script -*-
# Install as share/bash-completion/completions/swnc. Needs bash-completion.

_swnc()
{
    local cur prev words cword split
    _init_completion -s || return

    # The letters of the flags, and of the options that take an argument.
    local flags=46bCDdFhklNnrStUuvZz takes=ceIiMmOPpqsTVWwXx
    # Read the words so far: is -U given, --resolve, and how many operands?
    local word unix="" resolve="" skip="" operands=0
    for word in "${words[@]:1:cword-1}"; do
        if [[ $skip ]]; then
            skip=""
            continue
        fi
        case $word in
            --unixsock) unix=1 ;;
            --resolve) resolve=1 ;;
            --source-port | --source | --max-conns | --allow | --deny | --allowfile | --denyfile | \
                --wait | --quit | --interval | --idle-timeout | --recv-limit | --recv-buffer | \
                --send-buffer | --ttl | --min-ttl | --tos | --rtable | --proxy | --proxy-type | \
                --proxy-user | --exec | --sh-exec | --output | --hex-dump | --ssl-cert | --ssl-key | \
                --ssl-trustfile | --ssl-servername | --ssl-alpn) skip=1 ;;
            --*) ;;
            -*([$flags])[$takes]) skip=1 ;;&
            -*) [[ $word == -*([$flags])U* ]] && unix=1 ;;
            *) ((operands++)) ;;
        esac
    done

    case $prev in
        -X | --proxy-type | -*([$flags])X)
            COMPREPLY=($(compgen -W "4 5 connect" -- "$cur"))
            return ;;
        -T | --tos | -*([$flags])T)
            COMPREPLY=($(compgen -W "lowdelay throughput reliability critical
                inetcontrol netcontrol af11 af12 af13 af21 af22 af23 af31 af32 af33
                af41 af42 af43 cs0 cs1 cs2 cs3 cs4 cs5 cs6 cs7 ef va" -- "$cur"))
            return ;;
        -e | --exec | -*([$flags])e)
            COMPREPLY=($(compgen -c -- "$cur"))
            return ;;
        -P | --proxy-user | -*([$flags])P)
            COMPREPLY=($(compgen -u -- "$cur"))
            return ;;
        -x | --proxy | --allow | --deny | --ssl-servername | -*([$flags])x)
            _known_hosts_real -- "$cur"
            return ;;
        --allowfile | --denyfile | --output | --hex-dump | --ssl-cert | --ssl-key | --ssl-trustfile)
            _filedir
            return ;;
        -s | --source | -*([$flags])s)
            if [[ $unix ]]; then _filedir; else _known_hosts_real -- "$cur"; fi
            return ;;
        --source-port | --max-conns | --wait | --quit | --interval | --idle-timeout | --recv-limit | \
            --recv-buffer | --send-buffer | --ttl | --min-ttl | --rtable | --sh-exec | --ssl-alpn | \
            -*([$flags])[$takes])
            return ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        # Every option (the tests read this list).
        COMPREPLY=($(compgen -W '-4 -6 -b -C -c -D -d -e -F -h -I -i -k -l -M -m
            -N -n -O -P -p -q -r -S -s -T -t -U -u -V -v -W -w -X -x -Z -z
            --listen --zero --echo --broadcast --resolve --udp --unixsock --ipv4
            --ipv6 --nodns --source-port --source --random-ports --pass-fd
            --keep-open --max-conns --allow --deny --allowfile --denyfile --wait
            --quit --interval --idle-timeout --no-stdin --shutdown --crlf --telnet
            --recv-limit --send-only --recv-only --verbose --allow-broadcast
            --debug-socket --recv-buffer --send-buffer --ttl --min-ttl --tos
            --md5sig --rtable --dccp --proxy --proxy-type --proxy-user --exec
            --sh-exec --broker --chat --output --append-output --hex-dump --stats
            --progress --ssl --ssl-cert --ssl-key --ssl-trustfile --ssl-servername
            --ssl-alpn --ssl-insecure --ssl-verify-client --help --version' -- "$cur"))
    elif [[ $unix ]]; then
        ((operands == 0)) && _filedir
    elif [[ $resolve ]] || ((operands == 0)); then
        # A destination or listening address; a port comes after it.
        _known_hosts_real -- "$cur"
    fi
} &&
    complete -F _swnc swnc
