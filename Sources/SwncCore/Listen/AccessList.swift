/// --allow, --deny, --allowfile, --denyfile: the peers a listener serves. Deny wins over allow;
/// without --allow and --allowfile every peer not denied is served. Host names are resolved
/// once, here, at start.
public struct AccessList {
    /// nil when neither --allow nor --allowfile was given; an allowfile without specs (only
    /// comments, say) is a list that allows nobody, as in ncat.
    let allowed: [AddressPattern]?
    let denied: [AddressPattern]

    /// Reads and checks every spec and file: a bad spec, a name that does not resolve or a file
    /// that cannot be read is a one-line Failure naming it.
    public init(_ configuration: Configuration) throws {
        let resolver = Resolver(numericOnly: configuration.numericOnly)
        let allowed = try AccessList.patterns(configuration.allow, files: configuration.allowFiles, "allow", resolver)
        self.allowed = configuration.allow.isEmpty && configuration.allowFiles.isEmpty ? nil : allowed
        denied = try AccessList.patterns(configuration.deny, files: configuration.denyFiles, "deny", resolver)
    }

    /// Whether the options restrict peers at all, so that a listener without them skips the check.
    public var restrictsPeers: Bool { allowed != nil || !denied.isEmpty }

    /// Whether `peer` may be served. An IPv4 peer of a dual-stack listener (::ffff:a.b.c.d) is
    /// matched as its IPv4 address; UNIX-domain peers have no address to match and are served.
    public func permits(_ peer: SocketAddress) -> Bool {
        guard let address = peer.addressBytes.map(AddressPattern.unmapped) else { return true }
        if denied.contains(where: { $0.matches(address) }) { return false }
        return allowed.map { $0.contains { $0.matches(address) } } ?? true
    }

    /// Larger files are a mistake (a device, say), not a list.
    static let fileSizeLimit = 16 << 20

    /// The patterns of the option values `values` and of the files `files`, for `--VERB` and
    /// `--VERBfile`.
    private static func patterns(_ values: [String], files: [String], _ verb: String, _ resolver: Resolver) throws -> [AddressPattern] {
        var patterns: [AddressPattern] = []
        for value in values {
            let specs = specs(in: value[...])
            // An option with no spec at all would otherwise quietly allow everyone.
            guard !specs.isEmpty else { throw Failure("invalid --\(verb) spec '\(quoted(value))'") }
            for spec in specs {
                patterns += try parse(spec, resolver, as: "--\(verb) spec '\(quoted(spec))'")
            }
        }
        for path in files {
            let contents: [UInt8]
            do {
                contents = try FileDescriptor.contents(ofFile: path, limit: fileSizeLimit)
            } catch {
                throw Failure("cannot read --\(verb)file \(quoted(path)): \(error)")
            }
            let lines = contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() {
                let text = String(decoding: line.prefix { $0 != UInt8(ascii: "#") }, as: UTF8.self)
                for spec in specs(in: text[...]) {
                    patterns += try parse(spec, resolver, as: "spec '\(quoted(spec))' in --\(verb)file \(quoted(path)) line \(index + 1)")
                }
            }
        }
        return patterns
    }

    /// The patterns of one spec; `place` names it in the error.
    private static func parse(_ spec: String, _ resolver: Resolver, as place: String) throws -> [AddressPattern] {
        do {
            return try AddressPattern.patterns(of: spec, resolver: resolver)
        } catch AddressPattern.SpecError.unresolved(let reason) {
            throw Failure("cannot resolve \(place): \(reason)")
        } catch {
            throw Failure("invalid \(place)")
        }
    }

    /// The specs of a list: separated by commas or white space (line ends included).
    static func specs(in text: Substring) -> [String] {
        text.split { $0 == "," || $0.isWhitespace }.map(String.init)
    }

    /// `text` fit for a one-line message: control characters and line separators escaped.
    static func quoted(_ text: String) -> String {
        String(text.unicodeScalars.map { scalar -> String in
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: return scalar.escaped(asASCII: true)
            default: return String(scalar)
            }
        }.joined())
    }
}
