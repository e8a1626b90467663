import Synchronization

/// State behind a lock, held by reference: a closure made in an initializer (a
/// ``ContractFeed``'s apply) can capture it before `self` exists, which a `Mutex` property
/// does not allow.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        try mutex.withLock(body)
    }
}
