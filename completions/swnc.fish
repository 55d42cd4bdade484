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
            case --source-port --source --max-conns --allow --deny --allowfile --denyfile \
                    --wait --quit --interval --idle-timeout --recv-limit --recv-buffer --send-buffer \
                    --ttl --min-ttl --tos --rtable --proxy --proxy-type --proxy-user --exec --sh-exec \
                    --output --hex-dump --ssl-cert --ssl-key --ssl-trustfile --ssl-servername --ssl-alpn
                set skip 1
            case '--*'
            case '-*'
                string match -qr -- '^-[46bCDdFhklNnrStuvZz]*U' $word; and echo U
                string match -qr -- '^-[46bCDdFhklNnrStUuvZz]*[ceIiMmOPpqsTVWwXx]$' $word; and set skip 1
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

function __swnc_hosts
    __fish_print_hostnames
    echo localhost
end

# Known hosts, or with -U socket paths.
function __swnc_hosts_or_paths
    if __swnc_unix
        __fish_complete_path (commandline -ct)
    else
        __swnc_hosts
    end
end

# The first operand is a host or a path; a port follows it: no file names.
complete -c swnc -f
complete -c swnc -n __swnc_first_operand -a '(__swnc_hosts_or_paths)'

complete -c swnc -s l -l listen -d 'listen for a peer instead of connecting'
complete -c swnc -s z -l zero -d 'probe ports: connect, report (with -v), close'
complete -c swnc -l echo -d 'with -l: send every byte back to its sender'
complete -c swnc -l broadcast -d 'send stdin as UDP broadcast datagrams'
complete -c swnc -l resolve -d 'print the host name, or the addresses of a host'
complete -c swnc -s u -l udp -d 'UDP (with -U: UNIX datagrams)'
complete -c swnc -s U -l unixsock -d 'UNIX-domain socket at a path'
complete -c swnc -s 4 -l ipv4 -d 'IPv4 only'
complete -c swnc -s 6 -l ipv6 -d 'IPv6 only'
complete -c swnc -s n -l nodns -d 'numeric addresses only: no DNS, no service names'
complete -c swnc -s p -l source-port -x -d 'local port to connect from'
complete -c swnc -s s -l source -x -a '(__swnc_hosts_or_paths)' -d 'local address to send from (-Uu: socket path)'
complete -c swnc -s r -l random-ports -d 'probe or try ports in random order'
complete -c swnc -s F -l pass-fd -d 'pass the connected socket to stdout and exit'
complete -c swnc -s k -l keep-open -d 'keep listening after a peer leaves'
complete -c swnc -l max-conns -x -d 'with -lk: at most n peers at once'
complete -c swnc -l allow -x -a '(__swnc_hosts)' -d 'accept peers only from these hosts'
complete -c swnc -l deny -x -a '(__swnc_hosts)' -d 'refuse peers from these hosts'
complete -c swnc -l allowfile -r -F -d 'accept peers only from the hosts in file'
complete -c swnc -l denyfile -r -F -d 'refuse peers from the hosts in file'
complete -c swnc -s w -l wait -x -d 'connect timeout and client idle timeout'
complete -c swnc -s q -l quit -x -d 'quit secs after EOF on stdin (negative: never)'
complete -c swnc -s i -l interval -x -d 'wait secs after each line sent and port probed'
complete -c swnc -l idle-timeout -x -d 'close a connection idle for secs, in any mode'
complete -c swnc -s d -l no-stdin -d 'do not read standard input'
complete -c swnc -s N -l shutdown -d 'shut down sending after EOF on stdin'
complete -c swnc -s C -l crlf -d 'send each LF of stdin as CR LF'
complete -c swnc -s t -l telnet -d 'refuse telnet negotiation, keep it from stdout'
complete -c swnc -s W -l recv-limit -x -d 'exit after receiving count packets'
complete -c swnc -l send-only -d 'only send: never write to stdout'
complete -c swnc -l recv-only -d 'only receive: never read stdin'
complete -c swnc -s v -l verbose -d 'report on stderr (-vv: more)'
complete -c swnc -s b -l allow-broadcast -d 'UDP: allow sending to a broadcast address'
complete -c swnc -s D -l debug-socket -d 'SO_DEBUG on the socket'
complete -c swnc -s I -l recv-buffer -x -d 'size of the receive buffer (SO_RCVBUF)'
complete -c swnc -s O -l send-buffer -x -d 'size of the send buffer (SO_SNDBUF)'
complete -c swnc -s M -l ttl -x -d 'TTL or hop limit of outgoing packets'
complete -c swnc -s m -l min-ttl -x -d 'minimum TTL or hop limit of incoming packets'
complete -c swnc -s T -l tos -x -a 'lowdelay throughput reliability critical inetcontrol netcontrol af11 af12 af13 af21 af22 af23 af31 af32 af33 af41 af42 af43 cs0 cs1 cs2 cs3 cs4 cs5 cs6 cs7 ef va' -d 'IP TOS or traffic class: keyword or 0-255'
complete -c swnc -s S -l md5sig -d 'TCP MD5 signatures (OpenBSD only)'
complete -c swnc -s V -l rtable -x -d 'routing table (OpenBSD only)'
complete -c swnc -s Z -l dccp -d 'DCCP (OpenBSD only)'
complete -c swnc -s x -l proxy -x -a '(__swnc_hosts)' -d 'connect through this proxy'
complete -c swnc -s X -l proxy-type -x -a '4 5 connect' -d 'proxy protocol: 4, 5 (default) or connect'
complete -c swnc -s P -l proxy-user -x -a '(__fish_complete_users)' -d 'user name for proxy authentication'
complete -c swnc -s e -l exec -x -a '(__fish_complete_command)' -d 'run prog for each connection, no shell'
complete -c swnc -s c -l sh-exec -x -d 'run /bin/sh -c command for each connection'
complete -c swnc -l broker -d 'with -l: pass what each peer sends to the others'
complete -c swnc -l chat -d 'with -l: a chat room, lines named by sender'
complete -c swnc -l output -r -F -d 'copy the data of both directions to file'
complete -c swnc -l append-output -d 'with --output: append, do not truncate'
complete -c swnc -l hex-dump -r -F -d 'hex dump of both directions to file'
complete -c swnc -l stats -d 'bytes each way and time, at each connection end'
complete -c swnc -l progress -d 'a live meter of the transfer on stderr'
complete -c swnc -l ssl -d 'TLS over TCP, client or listener'
complete -c swnc -l ssl-cert -r -F -d 'PEM certificate (chain) to present'
complete -c swnc -l ssl-key -r -F -d 'PEM private key of the certificate'
complete -c swnc -l ssl-trustfile -r -F -d 'PEM CA certificates to verify the peer with'
complete -c swnc -l ssl-servername -x -a '(__swnc_hosts)' -d 'name sent (SNI) and verified'
complete -c swnc -l ssl-alpn -x -d 'ALPN protocols, comma-separated'
complete -c swnc -l ssl-insecure -d 'do not verify the server'
complete -c swnc -l ssl-verify-client -d 'with -l: ask for a client certificate, verify it'
complete -c swnc -s h -l help -d 'print this help and exit'
complete -c swnc -l version -d 'print the version and exit'
