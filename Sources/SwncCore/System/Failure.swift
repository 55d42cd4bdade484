/// What swnc could not do, and why: printed as one line, `swnc: ` first.
public struct Failure: Error, CustomStringConvertible {
    /// What was attempted, e.g. "connect to 127.0.0.1 port 1 (tcp)".
    public let action: String
    /// Why it failed, e.g. "Connection refused"; empty when the action says it all.
    public let reason: String

    public init(_ action: String, _ reason: String = "") {
        self.action = action
        self.reason = reason
    }

    public init(_ action: String, _ error: Error) {
        self.init(action, (error as? Failure)?.description ?? "\(error)")
    }

    public var description: String { reason.isEmpty ? action : "\(action) failed: \(reason)" }
}
