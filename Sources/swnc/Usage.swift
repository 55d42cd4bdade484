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

    /// The --help text as bytes, built in one buffer: it is what `swnc -h` spends its time on,
    /// and start-up is measured with `-h` (String interpolation and padding strings cost more
    /// than the rest of the start).
    static var help: [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(8192)
        text += """
        usage: swnc [options] destination port      TCP (-u: UDP) client
               swnc [options] -l [address] port     listen (-k: keep listening)
               swnc [options] -U [-l] path          UNIX-domain client or listener
               swnc [options] -z destination ports  probe ports (22 80 8000-8100)
               swnc --echo -l [-k] [-u|-U] ...      echo server
               swnc -e prog | -c command ...        run a program for the peer
               swnc --broker | --chat -l ...        pass data between peers
               swnc --broadcast [address] port      UDP broadcast sender
               swnc --resolve [host]                host name, or a host's addresses


        """.utf8
        text += "swnc ".utf8
        text += version.utf8
        text += ": a netcat with OpenBSD netcat's flags, ncat's roles and TLS.\n".utf8
        // The table lists its options group by group, so one pass prints each group's heading once.
        var group: OptionSpec.Group?
        for option in OptionTable.all {
            if option.group != group {
                group = option.group
                text += "\n".utf8
                text += option.group.rawValue.utf8
                text += ":\n".utf8
            }
            appendLine(for: option, to: &text)
        }
        text += """

        Times take s (default), ms or m. Examples:
          swnc localhost 5566                  talk to a TCP server
          swnc --echo -lk 5566                 echo server for many clients
          swnc -k -w 1 -ul 5566                print datagrams from every sender

        """.utf8
        return text
    }

    /// "  -w, --wait secs" padded to column 30, then the summary.
    private static func appendLine(for option: OptionSpec, to text: inout [UInt8]) {
        let start = text.count
        text += "  ".utf8
        if let short = option.short {
            text += "-".utf8
            text += short.utf8
            text += ", --".utf8
        } else {
            text += "    --".utf8
        }
        text += option.long.utf8
        if let argument = option.argument {
            text += " ".utf8
            text += argument.utf8
        }
        repeat { text.append(UInt8(ascii: " ")) } while text.count - start < 30
        text += option.summary.utf8
        text += "\n".utf8
    }
}
