import Foundation

/// Throwaway certificates for the TLS tests, made once per run with the openssl command line in
/// a temporary directory: a CA; signed by it, a server certificate for localhost and 127.0.0.1,
/// one for another name, an expired one for localhost, and a client certificate; and a
/// self-signed certificate for localhost. (Tests/SwncTests/Support links to this file: the end-to-end
/// tests use the same certificates.)
struct TLSTestCertificates {
    let directory: String
    var caFile: String { "\(directory)/ca.pem" }

    /// "server", "wrongname", "expired", "client", "selfsigned".
    func certificateFile(_ name: String) -> String { "\(directory)/\(name).pem" }
    func keyFile(_ name: String) -> String { "\(directory)/\(name).key" }

    static let shared = Result { try TLSTestCertificates() }
    private static var madeDirectory: String?


    private init() throws {
        directory = NSTemporaryDirectory() + "swnc-tls-tests-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        Self.madeDirectory = directory
        atexit {
            if let directory = TLSTestCertificates.madeDirectory { try? FileManager.default.removeItem(atPath: directory) }
        }
        try Self.configuration.write(toFile: "\(directory)/openssl.cnf", atomically: true, encoding: .utf8)
        try "".write(toFile: "\(directory)/index.txt", atomically: true, encoding: .utf8)
        try "1000\n".write(toFile: "\(directory)/serial.txt", atomically: true, encoding: .utf8)
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl(["req", "-x509", "-config", "openssl.cnf", "-extensions", "ca_ext", "-subj", "/CN=swnc test CA",
                     "-days", "2", "-keyout", "ca.key", "-out", "ca.pem"] + newKey)
        try openssl(["req", "-x509", "-config", "openssl.cnf", "-extensions", "server_ext", "-subj", "/CN=localhost",
                     "-days", "2", "-keyout", "selfsigned.key", "-out", "selfsigned.pem"] + newKey)
        for (name, commonName, extensions) in [("server", "localhost", "server_ext"),
                                               ("wrongname", "other.example", "wrongname_ext"),
                                               ("expired", "localhost", "server_ext"),
                                               ("client", "swnc test client", "client_ext")] {
            try openssl(["req", "-new", "-config", "openssl.cnf", "-subj", "/CN=\(commonName)",
                         "-keyout", "\(name).key", "-out", "\(name).csr"] + newKey)
            if name == "expired" {  // x509 -days cannot go back in time; ca takes both dates
                try openssl(["ca", "-batch", "-config", "openssl.cnf", "-notext", "-in", "expired.csr",
                             "-startdate", "20200101000000Z", "-enddate", "20200201000000Z",
                             "-extensions", extensions, "-out", "expired.pem"])
            } else {
                try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                             "-CAcreateserial", "-days", "2", "-sha256",
                             "-extfile", "openssl.cnf", "-extensions", extensions, "-out", "\(name).pem"])
            }
        }
    }

    /// The certificate's SHA-256 fingerprint as the openssl command line prints it.
    func fingerprint(_ name: String) throws -> String {
        let output = try openssl(["x509", "-in", certificateFile(name), "-noout", "-fingerprint", "-sha256"])
        // "sha256 Fingerprint=AB:CD:..."
        return String(output.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    private func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.featureUnsupported, userInfo: [
                NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")): "
                    + String(decoding: complaint, as: UTF8.self)])
        }
        return String(decoding: printed, as: UTF8.self)
    }

    private static let configuration = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        CN = unused
        [ca_ext]
        basicConstraints = critical, CA:true
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        [server_ext]
        basicConstraints = CA:false
        subjectAltName = DNS:localhost, IP:127.0.0.1
        [wrongname_ext]
        basicConstraints = CA:false
        subjectAltName = DNS:other.example
        [client_ext]
        basicConstraints = CA:false
        extendedKeyUsage = clientAuth
        [ca]
        default_ca = test_ca
        [test_ca]
        database = index.txt
        new_certs_dir = .
        serial = serial.txt
        certificate = ca.pem
        private_key = ca.key
        default_md = sha256
        policy = any_name
        unique_subject = no
        [any_name]
        commonName = supplied
        """
}
