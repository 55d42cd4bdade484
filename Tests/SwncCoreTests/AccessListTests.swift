import Foundation
import Glibc
import Testing
@testable import SwncCore

@Suite struct AccessListTests {
    /// A peer address from its numeric form.
    private func peer(_ host: String) throws -> SocketAddress {
        let addresses = try Resolver(numericOnly: true).addresses(of: host, port: 4000, transport: .tcp)
        return try #require(addresses.first)
    }

    private func list(allow: [String] = [], deny: [String] = [], allowFiles: [String] = [], denyFiles: [String] = [],
                      numericOnly: Bool = false) throws -> AccessList {
        var configuration = Configuration()
        configuration.allow = allow
        configuration.deny = deny
        configuration.allowFiles = allowFiles
        configuration.denyFiles = denyFiles
        configuration.numericOnly = numericOnly
        return try AccessList(configuration)
    }

    /// The hosts of `hosts` that `list` permits.
    private func permitted(_ list: AccessList, _ hosts: [String]) throws -> [String] {
        try hosts.filter { try list.permits(peer($0)) }
    }

    /// The one-line message of what `body` throws.
    private func failure(_ body: () throws -> AccessList) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    private func temporaryFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "swnc-access-\(UUID().uuidString)"
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test func anIPv4AddressPermitsItselfOnly() throws {
        let list = try list(allow: ["10.0.0.1"])
        #expect(try permitted(list, ["10.0.0.1", "10.0.0.2", "10.0.0.0", "127.0.0.1"]) == ["10.0.0.1"])
    }

    @Test func anIPv6AddressPermitsItselfOnly() throws {
        let list = try list(allow: ["2001:db8::1"])
        #expect(try permitted(list, ["2001:db8::1", "2001:db8::2", "::1", "10.0.0.1"]) == ["2001:db8::1"])
    }

    @Test func ipv4CIDRBlocks() throws {
        let hosts = ["10.0.0.0", "10.255.255.255", "11.0.0.0", "9.255.255.255", "10.15.1.2", "10.16.0.0"]
        #expect(try permitted(list(allow: ["10.0.0.0/8"]), hosts) == ["10.0.0.0", "10.255.255.255", "10.15.1.2", "10.16.0.0"])
        // Host bits in the base are ignored; a prefix inside an octet.
        #expect(try permitted(list(allow: ["10.3.2.1/12"]), hosts) == ["10.0.0.0", "10.15.1.2"])
        #expect(try permitted(list(allow: ["192.168.0.0/23"]), ["192.168.0.7", "192.168.1.255", "192.168.2.0"])
                == ["192.168.0.7", "192.168.1.255"])
        #expect(try permitted(list(allow: ["10.0.0.1/32"]), ["10.0.0.1", "10.0.0.0"]) == ["10.0.0.1"])
        #expect(try permitted(list(allow: ["0.0.0.0/0"]), ["1.2.3.4", "255.255.255.255", "::1"]) == ["1.2.3.4", "255.255.255.255"])
    }

    @Test func ipv6CIDRBlocks() throws {
        let hosts = ["2001:db8::", "2001:db8:ffff:ffff::1", "2001:db9::", "2001:db7:ffff::", "::1", "10.0.0.1"]
        #expect(try permitted(list(allow: ["2001:db8::/32"]), hosts) == ["2001:db8::", "2001:db8:ffff:ffff::1"])
        #expect(try permitted(list(allow: ["2001:db8::/31"]), hosts) == ["2001:db8::", "2001:db8:ffff:ffff::1", "2001:db9::"])
        #expect(try permitted(list(allow: ["::1/128"]), hosts) == ["::1"])
        #expect(try permitted(list(allow: ["::/0"]), hosts) == Array(hosts.dropLast()))
    }

    @Test func ipv4OctetRanges() throws {
        let lastOctet = try list(allow: ["192.168.0.1-50"])
        #expect(try permitted(lastOctet, ["192.168.0.0", "192.168.0.1", "192.168.0.25", "192.168.0.50", "192.168.0.51", "192.168.1.1"])
                == ["192.168.0.1", "192.168.0.25", "192.168.0.50"])
        let anyOctet = try list(allow: ["10.0-1.*.1-5"])
        #expect(try permitted(anyOctet, ["10.0.0.1", "10.1.255.5", "10.2.0.1", "10.0.7.6", "10.0.7.0", "11.0.0.1"])
                == ["10.0.0.1", "10.1.255.5"])
        #expect(try permitted(list(allow: ["10.0.0.7-7"]), ["10.0.0.6", "10.0.0.7", "10.0.0.8"]) == ["10.0.0.7"])
    }

    @Test func commaSeparatedListsAndRepeatedOptions() throws {
        let list = try list(allow: ["10.0.0.1,10.0.0.2", "10.0.0.3, ::1", ",10.0.0.9,,"])
        #expect(try permitted(list, ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "::1", "10.0.0.9"])
                == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "::1", "10.0.0.9"])
    }

    @Test func filesHoldSpecsByLinesOrCommasWithComments() throws {
        let path = try temporaryFile("""
            # trusted hosts
            10.0.0.1
            10.0.1.0/24, 10.0.2.1-3 # the lab

            \t2001:db8::/32\r
            #10.0.0.2
            10.0.3.1,10.0.3.2#,10.0.3.3
            """)
        defer { unlink(path) }
        let list = try list(allowFiles: [path])
        let hosts = ["10.0.0.1", "10.0.0.2", "10.0.1.77", "10.0.2.3", "10.0.2.4", "2001:db8::5",
                     "10.0.3.1", "10.0.3.2", "10.0.3.3"]
        #expect(try permitted(list, hosts) == ["10.0.0.1", "10.0.1.77", "10.0.2.3", "2001:db8::5", "10.0.3.1", "10.0.3.2"])
    }

    @Test func optionsAndFilesOfBothKindsAddUp() throws {
        let allowFile = try temporaryFile("10.0.0.0/8\n")
        let denyFile = try temporaryFile("10.0.0.3\n")
        defer { unlink(allowFile); unlink(denyFile) }
        let list = try list(allow: ["192.168.0.1"], deny: ["10.0.0.2"], allowFiles: [allowFile], denyFiles: [denyFile])
        #expect(try permitted(list, ["192.168.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.3", "172.16.0.1"])
                == ["192.168.0.1", "10.0.0.1"])
    }

    @Test func denyWinsOverAllow() throws {
        let list = try list(allow: ["10.0.0.0/8"], deny: ["10.0.0.5", "10.9.0.0/16"])
        #expect(try permitted(list, ["10.0.0.4", "10.0.0.5", "10.9.3.3", "10.10.0.1", "11.0.0.1"]) == ["10.0.0.4", "10.10.0.1"])
        #expect(try permitted(self.list(allow: ["10.0.0.1"], deny: ["10.0.0.1"]), ["10.0.0.1"]) == [])
    }

    @Test func withoutAllowEveryPeerNotDeniedIsPermitted() throws {
        let list = try list(deny: ["10.0.0.5"])
        #expect(list.restrictsPeers)
        #expect(try permitted(list, ["10.0.0.4", "10.0.0.5", "::1"]) == ["10.0.0.4", "::1"])
        let none = try self.list()
        #expect(!none.restrictsPeers)
        #expect(try permitted(none, ["10.0.0.4", "::1"]) == ["10.0.0.4", "::1"])
    }

    @Test func anAllowFileWithoutSpecsAllowsNobodyAndADenyFileWithoutSpecsDeniesNobody() throws {
        let path = try temporaryFile("# nobody yet\n\n")
        defer { unlink(path) }
        let allowNobody = try list(allowFiles: [path])
        #expect(allowNobody.restrictsPeers)
        #expect(try permitted(allowNobody, ["10.0.0.1", "::1"]) == [])
        let denyNobody = try list(denyFiles: [path])
        #expect(!denyNobody.restrictsPeers)
        #expect(try permitted(denyNobody, ["10.0.0.1"]) == ["10.0.0.1"])
    }

    @Test func anIPv4MappedPeerIsMatchedAsItsIPv4Address() throws {
        let byIPv4 = try list(allow: ["10.0.0.0/8"], deny: ["10.0.0.5"])
        #expect(try permitted(byIPv4, ["::ffff:10.0.0.1", "::ffff:10.0.0.5", "::ffff:11.0.0.1"]) == ["::ffff:10.0.0.1"])
        // A spec written mapped stands for the IPv4 addresses, too.
        let byMapped = try list(allow: ["::ffff:10.0.0.1", "::ffff:192.168.0.0/120"])
        #expect(try permitted(byMapped, ["10.0.0.1", "::ffff:10.0.0.1", "10.0.0.2", "192.168.0.9", "192.168.1.9"])
                == ["10.0.0.1", "::ffff:10.0.0.1", "192.168.0.9"])
    }

    @Test func unixDomainPeersAreAlwaysPermitted() throws {
        let list = try list(allow: ["10.0.0.1"], deny: ["0.0.0.0/0", "::/0"])
        #expect(list.permits(try SocketAddress.unix(path: "/tmp/swnc-peer")))
        #expect(list.permits(SocketAddress.any(family: AF_UNIX, port: 0)))
        #expect(!list.permits(try peer("10.0.0.1")))
    }

    @Test func aNameStandsForEveryAddressItHas() throws {
        let list = try list(allow: ["localhost"])
        let addresses = try Resolver().addresses(of: "localhost", port: 0, transport: .tcp).map(\.host)
        #expect(addresses.contains("127.0.0.1"))
        #expect(try permitted(list, addresses + ["10.0.0.1", "127.0.0.2"]) == addresses)
        #expect(failure { try self.list(allow: ["localhost"], numericOnly: true) }
                == "cannot resolve --allow spec 'localhost': Name or service not known")
    }

    @Test func badSpecsAreOneLineNamingThem() throws {
        let invalid = ["10.0.0.0/33", "2001:db8::/129", "10.0.0.256", "10.0.0.50-1", "010.0.0.1", "10.0.0", "10.0.0.0.0",
                       "10.0.0.1/", "/8", "10.0.0.1/+8", "10.0.0.1/-1", "10.0.0.1-5/24", "10.0.0.1-2-3", "10.0.0.-5",
                       "*", "10.0.0.300", "1.2.3.4.5.6", "a..b", "bad!name", "-a.x", "a-.x", "a.-x", "2001:db8::g", "[::1]", "::1%lo",
                       "név", "10.0.0.1\u{1B}[31m", "10.0.0.1\u{0}"]
        for spec in invalid {
            let shown = spec.replacingOccurrences(of: "\u{1B}", with: "\\u{1B}").replacingOccurrences(of: "\u{0}", with: "\\0")
            #expect(failure { try self.list(allow: [spec]) } == "invalid --allow spec '\(shown)'")
        }
        #expect(failure { try self.list(deny: ["10.0.0.1,10.0.0.0/33"]) } == "invalid --deny spec '10.0.0.0/33'")
        #expect(failure { try self.list(allow: [""]) } == "invalid --allow spec ''")
        #expect(failure { try self.list(deny: [" , "]) } == "invalid --deny spec ' , '")
        #expect(failure { try self.list(allow: ["10.0.0.1", ",\u{2028}"]) } == "invalid --allow spec ',\\u{2028}'")
    }

    @Test func badFilesAreOneLineNamingThem() throws {
        #expect(failure { try self.list(denyFiles: ["/x"]) } == "cannot read --denyfile /x: No such file or directory")
        #expect(failure { try self.list(allowFiles: ["/tmp"]) } == "cannot read --allowfile /tmp: Is a directory")
        #expect(failure { try self.list(allowFiles: ["/dev/zero"]) } == "cannot read --allowfile /dev/zero: File too large")
        #expect(failure { try self.list(allowFiles: ["/no\nsuch"]) } == "cannot read --allowfile /no\\nsuch: No such file or directory")
        let path = try temporaryFile("10.0.0.1\n# fine\n10.0.0.2, 10.0.0.0/33\n")
        defer { unlink(path) }
        #expect(failure { try self.list(denyFiles: [path]) } == "invalid spec '10.0.0.0/33' in --denyfile \(path) line 3")
        let named = try temporaryFile("\n\nlocalhost\n")
        defer { unlink(named) }
        #expect(failure { try self.list(allowFiles: [named], numericOnly: true) }
                == "cannot resolve spec 'localhost' in --allowfile \(named) line 3: Name or service not known")
    }

    @Test func cidrMatchingAgreesWithMaskArithmetic() throws {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let base = UInt32.random(in: .min ... .max, using: &random)
            let prefix = Int.random(in: 0...32, using: &random)
            // Half the probes inside the block, half anywhere.
            let mask: UInt32 = prefix == 0 ? 0 : ~0 << (32 - prefix)
            let probe = Bool.random(using: &random)
                ? (base & mask) | (UInt32.random(in: .min ... .max, using: &random) & ~mask)
                : UInt32.random(in: .min ... .max, using: &random)
            let list = try list(allow: ["\(dotted(base))/\(prefix)"])
            #expect(list.permits(try peer(dotted(probe))) == (probe & mask == base & mask), "\(dotted(base))/\(prefix) \(dotted(probe))")
        }
    }

    private func dotted(_ address: UInt32) -> String {
        [24, 16, 8, 0].map { String(address >> UInt32($0) & 0xff) }.joined(separator: ".")
    }

    @Test func randomAndMutatedSpecsNeverTrapAndFailInOneLine() throws {
        var random = SeededGenerator(seed: 2024)
        let seeds = ["10.0.0.1", "10.0.0.0/8", "2001:db8::/32", "192.168.0.1-50", "10.0-1.*.1-5", "::ffff:10.0.0.1",
                     "::1", "fe80::1/64", "localhost", "a.example", "10.0.0.1,10.0.0.2", "0.0.0.0/0", "::/0"]
        let alphabet = Array("0123456789abcdefxyz.:/-*, #\t\n\r%[]+_!\u{0}\u{1B}é\u{2028}").map(String.init)
            + ["255", "256", "::", "ffff", "/128", "/33"]
        let peers = try ["10.0.0.1", "192.168.0.7", "::1", "::ffff:10.0.0.1", "2001:db8::1"].map(peer)
        var accepted = 0
        for round in 0..<12_000 {
            var text: String
            if round % 3 == 0 {
                text = (0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet[Int.random(in: alphabet.indices, using: &random)] }.joined()
            } else {
                var characters = Array(seeds[Int.random(in: seeds.indices, using: &random)])
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let position = Int.random(in: 0...characters.count, using: &random)
                    let piece = Array(alphabet[Int.random(in: alphabet.indices, using: &random)])
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: characters.insert(contentsOf: piece, at: position)
                    case 1 where position < characters.count: characters.remove(at: position)
                    case 2 where position < characters.count: characters[position] = piece[0]
                    default: characters = Array(characters.prefix(position))
                    }
                }
                text = String(characters)
            }
            do {
                let list = try list(allow: [text], deny: [text], numericOnly: true)
                accepted += 1
                // Deny wins: whatever the spec matches is refused, and a list that allows only
                // what it denies permits nobody.
                #expect(peers.allSatisfy { !list.permits($0) }, "\(text.debugDescription)")
            } catch {
                let message = "\(error)"
                #expect(!message.contains("\n") && !message.contains("\r"), "\(message.debugDescription)")
                #expect(message.hasPrefix("invalid --allow spec '") || message.hasPrefix("cannot resolve --allow spec '"),
                        "\(message.debugDescription)")
            }
        }
        // The corpus must exercise both outcomes.
        #expect(accepted > 500)
        #expect(accepted < 11_000)
    }
}
