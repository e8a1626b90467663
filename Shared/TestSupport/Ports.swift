#if canImport(Glibc)
import Glibc
#endif

/// A base port whose next two are free too, on 127.0.0.1, for a bus daemon in a test.
///
/// Chosen below Linux's ephemeral range (32768-60999), where outgoing connections take ports at
/// random and a port found free now may be taken a moment later.
public func freeBasePort() -> Int {
    for _ in 0..<200 {
        let base = Int.random(in: 20_000...32_000)
        if (base..<base + 3).allSatisfy(portIsFree) { return base }
    }
    return 32_100
}

private func portIsFree(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
