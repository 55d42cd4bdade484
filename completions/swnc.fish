# fish completion for swnc(1), a netcat.
# Install as share/fish/vendor_completions.d/swnc.fish.

# The words typed so far, after swnc, without the option arguments: -U is
# there (alone or in a cluster such as -lU) if "U" is printed, and each
# operand is printed as "operand".
function __swnc_words
    set -l skip
    for word in (commandline -opc)[2..-1]
        if set -q skip[1]
            set -e skip
            continue
        end
        switch $word
            case --unixsock
                echo U
            case --source-port --quit --source --wait
                set skip 1
            case '--*'
            case '-*'
                string match -qr -- '^-[46dhklNnuvz]*U' $word; and echo U
                string match -qr -- '^-[46dhklNnUuvz]*[pqsw]$' $word; and set skip 1
            case '*'
                echo operand
        end
    end
end

function __swnc_unix
    contains U (__swnc_words)
end

function __swnc_first_operand
    not contains operand (__swnc_words)
end

# Known hosts, or with -U socket paths.
function __swnc_hosts_or_paths
    if __swnc_unix
        __fish_complete_path (commandline -ct)
    else
        __fish_print_hostnames
        echo localhost
    end
end

# The first operand is a host or a path; a port follows it: no file names.
complete -c swnc -f
complete -c swnc -n __swnc_first_operand -a '(__swnc_hosts_or_paths)'

complete -c swnc -s 4 -l ipv4 -d 'IPv4 only'
complete -c swnc -s 6 -l ipv6 -d 'IPv6 only'
complete -c swnc -s d -l no-stdin -d 'do not read standard input'
complete -c swnc -s h -l help -d 'print this help and exit'
complete -c swnc -s k -l keep-open -d 'keep listening after a peer leaves'
complete -c swnc -s l -l listen -d 'listen for a peer instead of connecting'
complete -c swnc -s N -l shutdown -d 'shut down sending after EOF on stdin'
complete -c swnc -s n -l nodns -d 'numeric addresses only: no DNS, no service names'
complete -c swnc -s p -l source-port -x -d 'local port to connect from'
complete -c swnc -s q -l quit -x -d 'quit secs after EOF on stdin (negative: never)'
complete -c swnc -s s -l source -x -a '(__swnc_hosts_or_paths)' -d 'local address to send from (-Uu: socket path)'
complete -c swnc -s U -l unixsock -d 'UNIX-domain socket at a path'
complete -c swnc -s u -l udp -d 'UDP (with -U: UNIX datagrams)'
complete -c swnc -s v -l verbose -d 'report on stderr (-vv: more)'
complete -c swnc -s w -l wait -x -d 'connect timeout and client idle timeout'
complete -c swnc -s z -l zero -d 'probe ports: connect, report (with -v), close'
complete -c swnc -l echo -d 'with -l: send every byte back to its sender'
complete -c swnc -l broadcast -d 'send stdin as UDP broadcast datagrams'
complete -c swnc -l resolve -d 'print the host name, or the addresses of a host'
complete -c swnc -l version -d 'print the version and exit'
