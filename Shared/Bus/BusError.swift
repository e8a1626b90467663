import Messages

/// Why a bus operation failed. Remote errors keep the code the server or broker sent.
public enum BusError: Error, Equatable, CustomStringConvertible {
    /// No reply within the timeout, after every retry.
    case timeout(service: String, attempts: Int)
    /// The broker has no live worker for the service.
    case noSuchService(String)
    /// The server answered with an error.
    case remote(service: String, code: Volta_V1_ErrorReply.Code, message: String)
    /// The reply's envelope or payload did not decode as the expected type.
    case malformedReply(service: String, detail: String)
    /// The transport was shut down.
    case closed

    public var description: String {
        switch self {
        case let .timeout(service, attempts): "no reply from '\(service)' after \(attempts) attempt(s)"
        case let .noSuchService(service): "no such service: '\(service)'"
        case let .remote(service, code, message): "'\(service)' answered \(code): \(message)"
        case let .malformedReply(service, detail): "malformed reply from '\(service)': \(detail)"
        case .closed: "the bus transport is closed"
        }
    }
}

/// Thrown by a request handler when the request itself is wrong (a missing field, a price below
/// intrinsic): the client gets `BAD_REQUEST` with this message, telling it that a retry with the
/// same request cannot succeed, where `HANDLER_FAILED` means the server had a problem.
public struct BadRequest: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
