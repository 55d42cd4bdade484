# bash completion for swnc(1), a netcat                    -*- shell-script -*-
# Install as share/bash-completion/completions/swnc. Needs bash-completion.

_swnc()
{
    local cur prev words cword split
    _init_completion -s || return

    # Read the words so far: is -U given, --resolve, and how many operands?
    local flags=46dhklNnUuvz word unix="" resolve="" skip="" operands=0
    for word in "${words[@]:1:cword-1}"; do
        if [[ $skip ]]; then
            skip=""
            continue
        fi
        case $word in
            --unixsock) unix=1 ;;
            --resolve) resolve=1 ;;
            --source-port | --quit | --source | --wait) skip=1 ;;
            --*) ;;
            -*([$flags])[pqsw]) skip=1 ;;&
            -*) [[ $word == -*([$flags])U* ]] && unix=1 ;;
            *) ((operands++)) ;;
        esac
    done

    case $prev in
        -p | --source-port | -q | --quit | -w | --wait | -*([$flags])[pqw])
            return ;;
        -s | --source | -*([$flags])s)
            if [[ $unix ]]; then _filedir; else _known_hosts_real -- "$cur"; fi
            return ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-4 -6 -d -h -k -l -N -n -p -q -s -U -u -v -w -z
            --ipv4 --ipv6 --no-stdin --help --keep-open --listen --shutdown
            --nodns --source-port --quit --source --unixsock --udp --verbose
            --wait --zero --echo --broadcast --resolve --version' -- "$cur"))
    elif [[ $unix ]]; then
        ((operands == 0)) && _filedir
    elif [[ $resolve ]] || ((operands == 0)); then
        # A destination or listening address; a port comes after it.
        _known_hosts_real -- "$cur"
    fi
} &&
    complete -F _swnc swnc
