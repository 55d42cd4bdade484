import SwncCore

/// POSIX getopt with GNU's habits: clustered flags (`-lu`), attached or separate arguments
/// (`-w1`, `-w 1`, `--wait=1`, `--wait 1`), options after operands, `--` ends options.
enum Parser {
    static func parse(_ arguments: [String]) throws -> CommandLineRequest {
        var request = CommandLineRequest()
        var operands: [String] = []
        var index = 0
        func argument(for option: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw UsageError("option requires an argument -- \(option)") }
            return arguments[index]
        }
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                operands += arguments[(index + 1)...]
                break
            } else if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let attached = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                guard let spec = OptionTable.find(long: name) else { throw UsageError("unrecognized option '--\(name)'") }
                request.given.append(spec.name)
                if spec.argument == nil {
                    if attached != nil { throw UsageError("option '--\(name)' doesn't allow an argument") }
                    try spec.apply(&request, "")
                } else {
                    try spec.apply(&request, try attached ?? argument(for: "--\(name)"))
                }
            } else if word.hasPrefix("-"), word.count > 1 {
                var letters = Substring(word.dropFirst())
                while let letter = letters.popFirst() {
                    guard let spec = OptionTable.find(short: letter) else { throw UsageError("invalid option -- '\(letter)'") }
                    request.given.append(spec.name)
                    if spec.argument == nil {
                        try spec.apply(&request, "")
                    } else {
                        try spec.apply(&request, letters.isEmpty ? try argument(for: "'\(letter)'") : String(letters))
                        break
                    }
                }
            } else {
                operands.append(word)
            }
            index += 1
        }
        if request.help || request.version { return request }
        try Operands.apply(operands, to: &request)
        return request
    }
}
