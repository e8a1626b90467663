import BusZeroMQ

extension BusSocketOptions {
    /// Heartbeats fast enough that a test sees a dead peer within a second, and reconnects that
    /// back off to at most half a second.
    public static func testing(heartbeatMilliseconds: Int32 = 200) -> BusSocketOptions {
        var options = BusSocketOptions()
        options.brokerHeartbeatMilliseconds = heartbeatMilliseconds
        options.reconnectMaxMilliseconds = 500
        return options
    }
}
