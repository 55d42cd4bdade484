/// `--stats`: the line each connection ends with, as ncat's `-v` says it:
/// `N bytes sent, M bytes received in T seconds`, T with two decimals.
public enum TransferStats {
    public static func line(sent: Int, received: Int, elapsed: Duration) -> String {
        "\(sent) bytes sent, \(received) bytes received in \(TransferUnits.seconds(elapsed)) seconds"
    }
}
