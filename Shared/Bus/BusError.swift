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

/// Thrown by a request handler that cannot act now but may later (a gateway whose broker is
/// disconnected): the client gets `UNAVAILABLE`, which says "retry", where `BAD_REQUEST` says
/// "this will never succeed". Keeping them apart is what stops a disconnect from reading as the
/// broker's refusal of an order.
public struct Unavailable: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension BusError {
    /// True when the server said the request itself can never succeed (`BAD_REQUEST`); every
    /// other failure (a timeout, no worker, `UNAVAILABLE`, a failed handler) may pass on a retry.
    public var isRefusal: Bool {
        if case .remote(_, .badRequest, _) = self { return true }
        return false
    }
}
