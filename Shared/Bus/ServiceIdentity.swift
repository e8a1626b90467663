import Messages

/// Who a process is on the bus. The epoch (its start time) tells a restarted instance from the
/// one before it.
public struct ServiceIdentity: Sendable, Hashable, CustomStringConvertible {
    public let service: String
    public let instance: String
    public let epoch: UInt64

    public init(service: String, instance: String? = nil, epoch: UInt64) {
        self.service = service
        self.instance = instance ?? service
        self.epoch = epoch
    }

    public var source: Volta_V1_Source {
        var s = Volta_V1_Source()
        s.service = service
        s.instance = instance
        s.epoch = epoch
        return s
    }

    public var description: String { "\(service)/\(instance)@\(epoch)" }
}
