/// A configuration that cannot be used. The process prints it and exits with code 2.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let value: String
    /// Where the value came from: "flag --set", "environment VOLTA_X", "file F".
    public let origin: String
    /// What would have been accepted, or why the key is wrong.
    public let accepted: String

    public init(key: String, value: String, origin: String, accepted: String) {
        self.key = key
        self.value = value
        self.origin = origin
        self.accepted = accepted
    }

    public var description: String {
        "invalid configuration: key '\(key)' = '\(value)' (from \(origin)): expected \(accepted)"
    }

    /// The exit code for a bad configuration, as operators' scripts expect.
    public static let exitCode: Int32 = 2
}
