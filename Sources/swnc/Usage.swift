/// `--help`, `--version` and the one-line usage, made from the option table.
enum Usage {
    static let version = "0.1.0"

    static let synopsis = "usage: swnc [-46dhklNnUuvz] [-p port] [-q secs] [-s address] [-w secs]\n"
        + "            [--echo] [--broadcast] [--resolve] [destination] [port]"

    static var help: String {
        var text = """
        swnc \(version): a netcat, and the server side of the classic socket examples.

          swnc [options] destination port        TCP (-u: UDP) client
          swnc [options] -l [address] port       listen for a peer (-k: keep listening)
          swnc [options] -U [-l] path            UNIX-domain client or listener
          swnc [options] -z destination ports    probe ports (22 80 8000-8100)
          swnc --echo -l [-k] [-u|-U] ...        echo server
          swnc --broadcast [address] port        UDP broadcast sender
          swnc --resolve [host]                  host name, or a host's addresses

        """
        for group in OptionSpec.Group.allCases {
            text += "\n\(group.rawValue):\n"
            for option in OptionTable.all where option.group == group {
                text += line(for: option) + "\n"
            }
        }
        text += """

        Times take s (default), ms or m. Examples:
          swnc localhost 5566                  talk to a TCP server
          swnc --echo -lk 5566                 echo server for many clients
          swnc -k -w 1 -ul 5566                print datagrams from every sender

        """
        return text
    }

    private static func line(for option: OptionSpec) -> String {
        var names = option.short.map { "-\($0), " } ?? "    "
        names += "--\(option.long)"
        if let argument = option.argument { names += " \(argument)" }
        let padding = String(repeating: " ", count: max(1, 26 - names.count))
        return "  \(names)\(padding)\(option.summary)"
    }
}
