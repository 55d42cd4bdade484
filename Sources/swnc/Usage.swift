/// `--help`, `--version` and the usage, made from the option table.
enum Usage {
    static let version = "0.2.0"

    /// The usage printed with a usage error, made from the option table: the single-letter
    /// flags, the options with an argument, then the long-only options (but --version) and the
    /// operands, in lines of at most 80 columns.
    static var synopsis: String {
        let options = OptionTable.all.filter { $0.group != .information || $0.short != nil }
        let flags = options.filter { $0.argument == nil }.compactMap(\.short)
            .sorted { ($0.lowercased(), $0.isLowercase ? 1 : 0) < ($1.lowercased(), $1.isLowercase ? 1 : 0) }
        let withArgument = options.compactMap { option in
            option.short.flatMap { short in option.argument.map { "[-\(short) \($0)]" } }
        }
        let longOnly = options.filter { $0.short == nil }.map { "[--\($0.long)\($0.argument.map { " \($0)" } ?? "")]" }
        let words = ["[-\(String(flags))]"] + withArgument.sorted() + longOnly + ["[destination]", "[port]"]
        var lines = ["usage: swnc"]
        for word in words {
            if lines[lines.count - 1].count + 1 + word.count > 80 { lines.append(String(repeating: " ", count: 11)) }
            lines[lines.count - 1] += " " + word
        }
        return lines.joined(separator: "\n")
    }

    static var help: String {
        var text = """
        usage: swnc [options] destination port      TCP (-u: UDP) client
               swnc [options] -l [address] port     listen (-k: keep listening)
               swnc [options] -U [-l] path          UNIX-domain client or listener
               swnc [options] -z destination ports  probe ports (22 80 8000-8100)
               swnc --echo -l [-k] [-u|-U] ...      echo server
               swnc -e prog | -c command ...        run a program for the peer
               swnc --broker | --chat -l ...        pass data between peers
               swnc --broadcast [address] port      UDP broadcast sender
               swnc --resolve [host]                host name, or a host's addresses

        swnc \(version): a netcat with OpenBSD netcat's flags, ncat's roles and TLS.

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
        let padding = String(repeating: " ", count: max(1, 28 - names.count))
        return "  \(names)\(padding)\(option.summary)"
    }
}
